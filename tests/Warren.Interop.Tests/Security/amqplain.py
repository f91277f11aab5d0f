"""py-amqp (Celery's client) logging in with AMQPLAIN, its preferred mechanism.

usage: amqplain.py PORT USER PASSWORD
Prints "OK <mechanism> <body>" on success; a refused login prints "REFUSED <reply text>" and exits 3.
"""
import sys

import amqp

port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
connection = amqp.Connection(host="127.0.0.1:%s" % port, userid=user, password=password, login_method="AMQPLAIN", connect_timeout=10)
try:
    connection.connect()
except amqp.exceptions.AccessRefused as e:
    print("REFUSED", e.reply_text)
    sys.exit(3)
channel = connection.channel()
queue, _, _ = channel.queue_declare(exclusive=True)
channel.basic_publish(amqp.Message("via amqplain"), routing_key=queue)
message = channel.basic_get(queue, no_ack=True)
print("OK", connection.login_method if hasattr(connection, "login_method") else "AMQPLAIN", message.body)
connection.close()
