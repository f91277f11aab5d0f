"""pika over TLS against Warren: publish one message and get it back.

usage: pika_tls.py PORT CA_FILE [--cert CERT KEY] [--external] [--vhost VHOST]
Prints "OK <body>" on success; any failure exits non-zero with the error.
"""
import ssl
import sys
import uuid

import pika

args = sys.argv[1:]
port, ca_file = int(args[0]), args[1]
context = ssl.create_default_context(cafile=ca_file)
if "--cert" in args:
    i = args.index("--cert")
    context.load_cert_chain(args[i + 1], args[i + 2])
vhost = args[args.index("--vhost") + 1] if "--vhost" in args else "/"
credentials = pika.credentials.ExternalCredentials() if "--external" in args else pika.PlainCredentials("guest", "guest")
parameters = pika.ConnectionParameters(host="127.0.0.1", port=port, virtual_host=vhost, credentials=credentials,
                                       ssl_options=pika.SSLOptions(context, "localhost"),
                                       connection_attempts=1, socket_timeout=10, blocked_connection_timeout=10)
connection = pika.BlockingConnection(parameters)
channel = connection.channel()
queue = "pika-tls-" + uuid.uuid4().hex
channel.queue_declare(queue, exclusive=True)
channel.basic_publish("", queue, b"over tls")
method, properties, body = None, None, None
for _ in range(100):
    method, properties, body = channel.basic_get(queue, auto_ack=True)
    if method is not None:
        break
    connection.sleep(0.05)
print("OK", body.decode() if body else None, connection._impl.socket.version() if hasattr(connection._impl, "socket") else "")
connection.close()
