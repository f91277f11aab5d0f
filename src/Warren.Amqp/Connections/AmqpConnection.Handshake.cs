using Warren.Broker.Messages;
using System.Buffers;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker.Routing;

namespace Warren.Amqp.Connections;

public sealed partial class AmqpConnection
{
    private static readonly string s_version =
        typeof(AmqpConnection).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private void SendStart()
    {
        // Capabilities list only what Warren implements; clients switch features on by them.
        var capabilities = new Dictionary<string, object?>
        {
            ["publisher_confirms"] = true,
            ["exchange_exchange_bindings"] = true,
            ["basic.nack"] = true,
            ["consumer_cancel_notify"] = true,
            ["per_consumer_qos"] = true,
            ["authentication_failure_close"] = true,
            ["connection.blocked"] = true,
            ["consumer_priorities"] = true,
            ["direct_reply_to"] = true,
        };
        var properties = new Dictionary<string, object?>
        {
            ["product"] = "Warren",
            ["version"] = s_version,
            ["platform"] = $".NET {Environment.Version}",
            ["copyright"] = "The Warren authors",
            ["information"] = "An AMQP 0-9-1 broker for .NET; see README.md",
            ["cluster_name"] = $"warren@{Environment.MachineName}",
            ["capabilities"] = capabilities,
        };
        SendOnChannel0(new ConnectionStart(0, 9, properties, string.Join(' ', OfferedMechanisms()), "en_US"));
    }

    // RabbitMQ offers each mechanism of auth_mechanisms that accepts this socket; EXTERNAL
    // (rabbitmq_auth_mechanism_ssl) wants a client certificate the TLS handshake verified.
    private IEnumerable<string> OfferedMechanisms() =>
        Options.AuthMechanisms.Where(m => m != AmqpOptions.Mechanisms.External || Security?.HasVerifiedPeerCertificate == true);

    private void HandleConnectionMethod(uint methodId, ReadOnlySpan<byte> arguments)
    {
        switch (_state, methodId)
        {
            case (State.AwaitingStartOk, ConnectionStartOk.Id): OnStartOk(ConnectionStartOk.ReadFrom(arguments)); break;
            case (State.AwaitingTuneOk, ConnectionTuneOk.Id): OnTuneOk(ConnectionTuneOk.ReadFrom(arguments)); break;
            case (State.AwaitingOpen, ConnectionOpen.Id): OnOpen(ConnectionOpen.ReadFrom(arguments)); break;
            case (State.Open, ConnectionClose.Id): OnClientClose(); break;
            case (State.Open, ConnectionUpdateSecret.Id): SendOnChannel0(new ConnectionUpdateSecretOk()); break;
            case (State.Open, ConnectionBlocked.Id or ConnectionUnblocked.Id): break;
            case (_, ConnectionClose.Id): OnClientClose(); break;
            default:
                if (MethodNames.IsKnown(methodId))
                {
                    throw AmqpException.Connection(ReplyCode.CommandInvalid, $"{MethodNames.Of(methodId)} not allowed here", methodId);
                }
                throw Warren.Amqp.Channels.AmqpChannel.UnknownMethod(methodId);
        }
    }

    private void OnStartOk(ConnectionStartOk startOk)
    {
        ClientProperties = startOk.ClientProperties;
        AuthMechanism = startOk.Mechanism;
        if (startOk.ClientProperties is { } client)
        {
            if (client.TryGetValue("connection_name", out var name) && FieldValues.TryGetString(name, out var text)) ClientName = text;
            if (client.TryGetValue("capabilities", out var caps) && caps is IReadOnlyDictionary<string, object?> capabilities)
            {
                ClientWantsCancelNotifications = capabilities.TryGetValue("consumer_cancel_notify", out var notify) && notify is true;
                ClientWantsBlockedNotifications = capabilities.TryGetValue("connection.blocked", out var blocked) && blocked is true;
            }
        }
        var mechanism = startOk.Mechanism;
        if (!OfferedMechanisms().Contains(mechanism))
        {
            // RabbitMQ's two texts: a mechanism not configured (EXTERNAL without its plugin is
            // unknown to RabbitMQ), and a configured one not offered on this connection.
            var which = Options.AuthMechanisms.Contains(mechanism) ? "invalid" : "unknown";
            throw AmqpException.Connection(ReplyCode.CommandInvalid, $"{which} authentication mechanism '{mechanism}'", ConnectionStartOk.Id);
        }
        string user;
        bool accepted;
        if (mechanism == AmqpOptions.Mechanisms.External)
        {
            // rabbitmq_auth_mechanism_ssl: the response is ignored, the certificate names the user.
            user = Security?.PeerCommonName ?? "";
            _user = user.Length > 0 ? _broker.Users.AuthenticateExternal(user, IsLoopback) : null;
            accepted = _user is not null;
        }
        else
        {
            ReadCredentials(mechanism, startOk.Response, out user, out var password);
            _user = _broker.Users.Authenticate(user, password, IsLoopback);
            accepted = _user is not null;
        }
        if (!accepted)
        {
            RefuseLogin(user, mechanism);
            return;
        }
        UserName = user;
        _state = State.AwaitingTuneOk;
        SendOnChannel0(new ConnectionTune(Options.ChannelMax, Options.FrameMax, Options.Heartbeat));
    }

    // ACCESS_REFUSED with RabbitMQ's text. Past a few failures from one address, the answer is
    // held back (LoginFailures) so that guessing passwords from it becomes slow.
    private void RefuseLogin(string user, string mechanism)
    {
        var error = AmqpException.Connection(ReplyCode.AccessRefused,
            $"Login was refused using authentication mechanism {mechanism}. For details see the broker logfile.", ConnectionStartOk.Id);
        var (delay, failures) = RemoteEndPoint is IPEndPoint ip ? _broker.LoginFailures.Record(ip.Address) : (TimeSpan.Zero, 1);
        // Never the password. A burst is logged at its start and then at every doubling, not once per attempt.
        if (failures <= _broker.LoginFailures.FreeFailures + 1 || (failures & (failures - 1)) == 0)
        {
            _logger.LogWarning("Login refused for user '{User}' from {Remote} using {Mechanism} ({Failures} failed logins from this address within {Window}s; answered after {Delay} ms)",
                user, RemoteEndPoint, mechanism, failures, _broker.LoginFailures.Window.TotalSeconds, (long)delay.TotalMilliseconds);
        }
        if (delay <= TimeSpan.Zero) throw error;
        // The close must still come before the handshake timeout cuts the socket.
        if (delay > Options.HandshakeTimeout / 2) delay = Options.HandshakeTimeout / 2;
        _state = State.Closing;
        _ = CloseAfterAsync(new ConnectionClose(error.ReplyCode, error.ReplyText, AmqpMethodId.ClassId(error.MethodId), AmqpMethodId.MethodIndex(error.MethodId)), delay);
    }

    private async Task CloseAfterAsync(ConnectionClose close, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _reading!.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return; // the client left, or the server stops
        }
        SendCloseFromAnyThread(close);
    }

    private static void ReadCredentials(string mechanism, byte[] response, out string user, out string password)
    {
        user = password = "";
        switch (mechanism)
        {
            case "PLAIN":
            {
                // PLAIN: [authzid] NUL authcid NUL passwd (RFC 4616).
                var text = Encoding.UTF8.GetString(response);
                var parts = text.Split('\0');
                if (parts.Length == 3) (user, password) = (parts[1], parts[2]); // otherwise malformed: refused as bad credentials
                return;
            }
            case "AMQPLAIN":
            {
                // AMQPLAIN: a field table without its length prefix, holding LOGIN and PASSWORD.
                var withLength = new byte[response.Length + 4];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(withLength, (uint)response.Length);
                response.CopyTo(withLength, 4);
                var reader = new WireReader(withLength);
                var table = reader.ReadTable();
                if (table is not null && table.TryGetValue("LOGIN", out var login) && table.TryGetValue("PASSWORD", out var secret))
                {
                    FieldValues.TryGetString(login, out user);
                    FieldValues.TryGetString(secret, out password);
                }
                return;
            }
        }
    }

    private void OnTuneOk(ConnectionTuneOk tuneOk)
    {
        var frameMax = tuneOk.FrameMax == 0 ? Options.FrameMax : tuneOk.FrameMax;
        if (frameMax < AmqpConstants.FrameMinSize)
        {
            throw AmqpException.Connection(ReplyCode.NotAllowed, $"frame_max={frameMax} < {AmqpConstants.FrameMinSize} min size", ConnectionTuneOk.Id);
        }
        if (frameMax > Options.FrameMax)
        {
            throw AmqpException.Connection(ReplyCode.NotAllowed, $"frame_max={frameMax} > {Options.FrameMax} max size", ConnectionTuneOk.Id);
        }
        if (tuneOk.ChannelMax > Options.ChannelMax)
        {
            throw AmqpException.Connection(ReplyCode.NotAllowed, $"channel_max={tuneOk.ChannelMax} > {Options.ChannelMax} max", ConnectionTuneOk.Id);
        }
        FrameMax = frameMax;
        _frameMaxIn = frameMax;
        _channelMax = tuneOk.ChannelMax == 0 ? Options.ChannelMax : tuneOk.ChannelMax;
        // The client has the last word on heartbeats: tune-ok carries the interval both sides use.
        _heartbeat = tuneOk.Heartbeat;
        _state = State.AwaitingOpen;
    }

    private void OnOpen(ConnectionOpen open)
    {
        try
        {
            Session = _broker.OpenSession(_user!, open.VirtualHost);
        }
        catch (Broker.BrokerException e)
        {
            throw AmqpException.Connection((ushort)e.Error, e.Message, ConnectionOpen.Id);
        }
        var virtualHost = Session.VirtualHost;
        VirtualHost = virtualHost;
        _state = State.Open;
        _broker.Clients.Add(this);
        _reading?.CancelAfter(Timeout.InfiniteTimeSpan);
        Opened?.Invoke();
        SendOnChannel0(new ConnectionOpenOk());
        _logger.LogDebug("Connection from {Remote} opened vhost '{VirtualHost}' as '{User}'", RemoteEndPoint, open.VirtualHost, UserName);
    }

    private void OnClientClose()
    {
        ReleaseResources();
        SendOnChannel0(new ConnectionCloseOk());
        _terminate = true;
    }

    private void HandleFrameWhileClosing(in Frame frame)
    {
        if (frame.Channel != 0) return;
        var methodId = PeekMethodId(frame);
        if (methodId == ConnectionCloseOk.Id) _terminate = true;
        else if (methodId == ConnectionClose.Id)
        {
            SendOnChannel0(new ConnectionCloseOk());
            _terminate = true;
        }
    }

    /// <summary>Sends connection.close for an error; the connection ends at close-ok, at the timeout, or at once when framing is lost.</summary>
    private void CloseWithError(AmqpException error, bool waitForCloseOk)
    {
        if (_state == State.Closing) return;
        var beforeOpen = _state != State.Open;
        _state = State.Closing;
        if (error.ReplyCode != ReplyCode.AccessRefused)
        {
            _logger.LogInformation("Closing connection from {Remote}: {Code} {Text}", RemoteEndPoint, error.ReplyCode, error.ReplyText);
        }
        ReleaseResources();
        SendOnChannel0(new ConnectionClose(error.ReplyCode, error.ReplyText, AmqpMethodId.ClassId(error.MethodId), AmqpMethodId.MethodIndex(error.MethodId)));
        if (!waitForCloseOk || beforeOpen && error.ReplyCode != ReplyCode.AccessRefused) _terminate = true;
        else _reading?.CancelAfter(Options.CloseTimeout);
    }

    private void SendOnChannel0<T>(in T method) where T : IAmqpMethod
    {
        lock (Output.Sync) FrameWriter.WriteMethodFrame(Output.Buffer, 0, method);
        Output.Signal();
    }

    // Sends a heartbeat when nothing else went out for half the interval; gives up on a peer
    // silent for two intervals (RabbitMQ's rule).
    private async Task RunHeartbeatsAsync(ushort seconds, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(seconds);
        using var timer = new PeriodicTimer(interval / 2);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var now = Environment.TickCount64;
            // While blocked by a resource alarm the server does not read, so silence proves nothing (RabbitMQ pauses its monitor too).
            if (!_blocked && now - Volatile.Read(ref _lastReadTicks) > 2 * interval.TotalMilliseconds)
            {
                _logger.LogWarning("Missed heartbeats from {Remote}, timeout: {Seconds}s; closing", RemoteEndPoint, seconds);
                await _reading!.CancelAsync().ConfigureAwait(false);
                return;
            }
            if (now - Output.LastWriteTicks >= interval.TotalMilliseconds / 2)
            {
                lock (Output.Sync) FrameWriter.WriteHeartbeat(Output.Buffer);
                Output.Signal();
            }
        }
    }

    internal void TrackExclusiveQueue(Broker.Queues.Queue queue)
    {
        if (!_exclusiveQueues.Contains(queue)) _exclusiveQueues.Add(queue);
    }

    internal void ScheduleConfirms(Warren.Amqp.Channels.AmqpChannel channel)
    {
        if (!_confirmsDue.Contains(channel)) _confirmsDue.Add(channel);
    }

    private void FlushConfirms()
    {
        foreach (var channel in _confirmsDue) channel.FlushConfirms();
        _confirmsDue.Clear();
    }

    // A full fence: the consumer's second look at the output must not be read before this write.
    internal void NoteOutputBlocked() => Interlocked.Exchange(ref _outputBlocked, 1);

    private void OnOutputDrained()
    {
        if (Interlocked.Exchange(ref _outputBlocked, 0) == 0) return;
        Warren.Amqp.Channels.AmqpChannel[] channels;
        lock (_channels) channels = [.. _channels.Values];
        foreach (var channel in channels) channel.ResumeOutputBlockedConsumers();
    }

    // Releases channels (requeueing their unacknowledged deliveries) and deletes exclusive queues. Idempotent.
    private void ReleaseResources()
    {
        Warren.Amqp.Channels.AmqpChannel[] channels;
        lock (_channels)
        {
            channels = [.. _channels.Values];
            _channels.Clear();
        }
        foreach (var channel in channels) channel.Release();
        _confirmsDue.Clear();
        foreach (var queue in _exclusiveQueues) VirtualHost?.DeleteQueue(queue);
        _exclusiveQueues.Clear();
        Session?.Dispose();
    }
}
