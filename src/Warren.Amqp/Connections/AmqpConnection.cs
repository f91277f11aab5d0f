using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Channels;
using Warren.Amqp.Framing;
using Warren.Amqp.Output;
using Warren.Amqp.Protocol;
using Warren.Broker;
using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;

namespace Warren.Amqp.Connections;

/// <summary>
/// One AMQP 0-9-1 connection over a duplex pipe: the handshake, channel 0, heartbeats, and the
/// dispatch of frames to channels. The transport only moves bytes, so tests and benchmarks can
/// drive a connection in memory.
/// </summary>
public sealed partial class AmqpConnection : Broker.Clients.IClientConnection
{
    private enum State { AwaitingHeader, AwaitingStartOk, AwaitingTuneOk, AwaitingOpen, Open, Closing }

    private readonly Broker.Broker _broker;
    private readonly IDuplexPipe _transport;
    private readonly ILogger _logger;
    private readonly Dictionary<ushort, AmqpChannel> _channels = new();
    private readonly List<AmqpChannel> _confirmsDue = new();
    private readonly List<Queue> _exclusiveQueues = new();
    private State _state = State.AwaitingHeader;
    private bool _terminate;
    private int _outputBlocked; // 1 when a consumer waits for the output to drain
    private volatile bool _blocked;
    private uint _frameMaxIn = AmqpConstants.FrameMinSize;
    private ushort _channelMax;
    private ushort _heartbeat;
    private long _lastReadTicks = Environment.TickCount64;
    private CancellationTokenSource? _reading;
    private bool _ended; // under Output.Sync: the connection's teardown disposed its output

    /// <summary>Creates a connection; <see cref="RunAsync"/> serves it.</summary>
    /// <param name="broker">The broker it serves.</param>
    /// <param name="transport">The bytes to and from the client (a socket, a TLS stream, an in-memory pipe).</param>
    /// <param name="options">Protocol limits and timeouts.</param>
    /// <param name="remoteEndPoint">The client's address, when known (loopback rule, login failures).</param>
    /// <param name="logger">Where it logs.</param>
    /// <param name="security">What the transport established (TLS, a verified client certificate); null for plain TCP.</param>
    /// <param name="localEndPoint">The server's end of the connection, when known (the management plane names connections by both ends).</param>
    public AmqpConnection(Broker.Broker broker, IDuplexPipe transport, AmqpOptions options, EndPoint? remoteEndPoint, ILogger logger, TransportSecurity? security = null,
        EndPoint? localEndPoint = null)
    {
        _broker = broker;
        _transport = transport;
        _logger = logger;
        Options = options;
        RemoteEndPoint = remoteEndPoint;
        LocalEndPoint = localEndPoint;
        Name = $"{Describe(remoteEndPoint)} -> {Describe(localEndPoint)}";
        Security = security;
        Output = new FrameOutput(transport.Output) { Drained = OnOutputDrained };
    }

    /// <summary>The peer's address, when known.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The server's end of the connection, when known.</summary>
    public EndPoint? LocalEndPoint { get; }

    /// <summary>RabbitMQ's name for it: "peer:port -> local:port".</summary>
    public string Name { get; }

    // 127.0.0.1:5672 for IPv4 (RabbitMQ prints IPv6 without brackets too, but an IPv4-mapped address as IPv4).
    private static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => $"{(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)}:{ip.Port}",
        null => "unknown",
        _ => endPoint.ToString() ?? "unknown",
    };

    /// <summary>TLS details when the connection came over TLS; null for plain TCP.</summary>
    public TransportSecurity? Security { get; }

    /// <summary>True when the connection was closed because its handshake did not finish within <see cref="AmqpOptions.HandshakeTimeout"/>.</summary>
    public bool HandshakeTimedOut { get; private set; }

    /// <summary>Called once, on the read loop, when connection.open succeeded (the listener stops counting it as a handshake).</summary>
    internal Action? Opened { get; set; }

    /// <summary>The name the client gave itself (connection_name client property), if any.</summary>
    public string? ClientName { get; private set; }

    /// <summary>The authenticated user, once the handshake got that far.</summary>
    public string? UserName { get; private set; }

    internal AmqpOptions Options { get; }

    internal Broker.Broker Broker => _broker;

    internal FrameOutput Output { get; }

    internal VirtualHost? VirtualHost { get; private set; }

    /// <summary>The broker session (user, permissions, limits) once connection.open succeeded.</summary>
    internal Broker.Security.Session? Session { get; private set; }

    private Broker.Security.User? _user;

    /// <summary>The version of the broker's users and permissions, for cached permission checks.</summary>
    internal long UsersVersion => _broker.Users.Version;

    /// <summary>The broker's storage, when it persists messages.</summary>
    internal Broker.Storage.StorageEngine? Storage => _broker.Storage;

    /// <summary>Negotiated frame-max: the largest frame either side may send.</summary>
    internal uint FrameMax { get; private set; } = AmqpConstants.FrameMinSize;

    internal bool ClientWantsCancelNotifications { get; private set; }

    internal bool ClientWantsBlockedNotifications { get; private set; }

    private bool IsLoopback => RemoteEndPoint is not IPEndPoint ip || IPAddress.IsLoopback(ip.Address);

    /// <summary>Serves the connection until it closes. Client faults end the connection, never the caller.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reading = reading;
        // RabbitMQ's handshake_timeout: disarmed by connection.open, otherwise the socket is closed without a word.
        reading.CancelAfter(Options.HandshakeTimeout);
        var writer = Output.RunAsync(cancellationToken);
        Task? heartbeats = null;
        try
        {
            if (await ReadProtocolHeaderAsync(reading.Token).ConfigureAwait(false))
            {
                SendStart();
                await ReadFramesAsync(() => heartbeats ??= RunHeartbeatsAsync(_heartbeat, reading.Token), reading.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_state < State.Open && !cancellationToken.IsCancellationRequested)
        {
            HandshakeTimedOut = true;
            _logger.LogDebug("Closing connection from {Remote}: handshake not finished within {Timeout} (state {State})", RemoteEndPoint, Options.HandshakeTimeout, _state);
        }
        catch (OperationCanceledException)
        {
            // Closed by a timeout, a missed heartbeat or the server stopping.
        }
        catch (Exception e) when (IsTransportEnd(e))
        {
            _logger.LogDebug(e, "Connection from {Remote} ended", RemoteEndPoint);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Connection from {Remote} failed", RemoteEndPoint);
        }
        finally
        {
            StopContentWatchdog();
            ReleaseResources();
            _broker.Clients.Remove(this);
            Output.Complete();
            try
            {
                await writer.WaitAsync(Options.CloseTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException || IsTransportEnd(e))
            {
                // The peer is gone or stuck: nothing more can be sent.
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Output to {Remote} failed", RemoteEndPoint);
            }
            await reading.CancelAsync().ConfigureAwait(false);
            if (heartbeats is not null) await heartbeats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _transport.Input.CompleteAsync().ConfigureAwait(false);
            // Under the lock CloseForced takes: after this, it finds the connection ended and
            // touches neither the output nor the reading token source being disposed.
            lock (Output.Sync)
            {
                _ended = true;
                _reading = null;
            }
            Output.Dispose();
        }
    }

    /// <summary>
    /// The peer went away: the socket or stream failed or was closed under us. Anything else, an
    /// InvalidOperationException from a collection changed while enumerated included, is a bug and
    /// is logged as an error, not as a normal disconnect (issue 10, defect 10).
    /// </summary>
    private static bool IsTransportEnd(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException;

    /// <summary>Closes the connection from the server side (e.g. at shutdown) with 320 CONNECTION_FORCED.</summary>
    public void CloseForced(string reason) => CloseFromAnyThread(ReplyCode.ConnectionForced, reason);

    /// <summary>
    /// A delivery to one of this connection's consumers threw (on another connection's thread):
    /// log it and close this connection with 541 INTERNAL_ERROR, from here, without waiting.
    /// </summary>
    internal void OnDeliveryFailed(string consumerTag, Exception error)
    {
        _logger.LogError(error, "Delivery to consumer {Tag} on connection from {Remote} failed; closing the connection", consumerTag, RemoteEndPoint);
        CloseFromAnyThread(ReplyCode.InternalError, $"delivery to consumer '{consumerTag}' failed");
    }

    private void CloseFromAnyThread(ushort replyCode, string reason)
    {
        // From any thread: the read loop then only waits for close-ok (a benign race with a frame it is handling).
        Volatile.Write(ref Unsafe.As<State, int>(ref _state), (int)State.Closing);
        SendCloseFromAnyThread(new ConnectionClose(replyCode, $"{AmqpException.CodeName(replyCode)} - {reason}", 0, 0));
    }

    // Writes connection.close from a thread other than the read loop and gives the peer CloseTimeout to answer.
    private void SendCloseFromAnyThread(in ConnectionClose close)
    {
        var output = Output;
        lock (output.Sync)
        {
            if (_ended) return;
            FrameWriter.WriteMethodFrame(output.Buffer, 0, close);
            output.Signal();
            _reading?.CancelAfter(Options.CloseTimeout);
        }
    }

    private async Task<bool> ReadProtocolHeaderAsync(CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= 8)
            {
                Span<byte> header = stackalloc byte[8];
                buffer.Slice(0, 8).CopyTo(header);
                input.AdvanceTo(buffer.GetPosition(8));
                if (header.SequenceEqual(AmqpConstants.ProtocolHeader))
                {
                    _state = State.AwaitingStartOk;
                    return true;
                }
                // Any other header, another AMQP version included, is answered with ours, then the socket closes.
                lock (Output.Sync) Output.Buffer.Write(AmqpConstants.ProtocolHeader);
                Output.Signal();
                return false;
            }
            if (result.IsCompleted) return false;
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private async Task ReadFramesAsync(Func<Task> startHeartbeats, CancellationToken cancellationToken)
    {
        var input = _transport.Input;
        while (!_terminate)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var unread = buffer.Length;
            if (!result.IsCanceled) _lastReadTicks = Environment.TickCount64; // canceled: the content watchdog woke the loop
            var blockedAt = false;
            try
            {
                while (!_terminate)
                {
                    var before = buffer;
                    if (!FrameParser.TryReadFrame(ref buffer, _frameMaxIn, out var frame)) break;
                    if (_broker.Alarms.IsBlocking && IsPublishing(frame))
                    {
                        // A resource alarm: this publish or content frame (and all after it) waits
                        // until it clears, so partial bodies stop growing too.
                        buffer = before;
                        blockedAt = true;
                        break;
                    }
                    HandleFrame(in frame);
                }
            }
            catch (AmqpFrameException e)
            {
                // Framing is lost: report and close without waiting for close-ok.
                CloseWithError(AmqpException.Connection(e.ReplyCode, StripCodeName(e.Message)), waitForCloseOk: false);
            }
            FlushConfirms();
            if (_contentCheckDue) FailStalledContent();
            _bytesReceived += unread - buffer.Length;
            input.AdvanceTo(buffer.Start, blockedAt ? buffer.Start : buffer.End);
            if (_state == State.Open && _heartbeat > 0) _ = startHeartbeats();
            if (blockedAt && !_terminate)
            {
                await WaitWhileBlockedAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (Output.IsCongested && !_terminate)
            {
                // The client does not read what it is sent (returns, get-oks, confirms, replies):
                // read nothing more from it until that drains, as RabbitMQ's writer holds its reader.
                await WaitForOutputAsync(cancellationToken).ConfigureAwait(false);
            }
            if (_throttledBy is { } congested)
            {
                // Flow control: let the consumers of a congested queue catch up before reading more.
                // Bounded, because this connection may carry those consumers' acks too.
                _throttledBy = null;
                await congested.WhenDrainedAsync().WaitAsync(FlowPause, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (result.IsCompleted) break;
        }
    }

    private static readonly TimeSpan FlowPause = TimeSpan.FromMilliseconds(50);
    private Queue? _throttledBy;

    internal void ThrottleFor(Queue queue) => _throttledBy = queue;

    private static bool IsPublishing(in Frame frame) =>
        frame.Type is AmqpConstants.FrameHeader or AmqpConstants.FrameBody || PeekMethodId(frame) == BasicPublish.Id;

    /// <summary>The method id of a method frame without decoding it; 0 for any other frame.</summary>
    private static uint PeekMethodId(in Frame frame)
    {
        if (frame.Type != AmqpConstants.FrameMethod || frame.Payload.Length < 4) return 0;
        Span<byte> id = stackalloc byte[4];
        frame.Payload.Slice(0, 4).CopyTo(id);
        return AmqpMethodId.Read(id);
    }

    private async Task WaitForOutputAsync(CancellationToken cancellationToken)
    {
        // Not reading is the server's choice here: the missed-heartbeat check pauses meanwhile.
        _blocked = true;
        try
        {
            await Output.WhenDrainedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _blocked = false;
            Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
        }
    }

    // RabbitMQ's flow control: a publishing connection is told connection.blocked (if it
    // understands it), is not read from while the alarm lasts, and hears connection.unblocked after.
    private async Task WaitWhileBlockedAsync(CancellationToken cancellationToken)
    {
        _blocked = true;
        if (ClientWantsBlockedNotifications) SendOnChannel0(new ConnectionBlocked(_broker.Alarms.Reason));
        try
        {
            await _broker.Alarms.WhenClearAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _blocked = false;
            Volatile.Write(ref _lastReadTicks, Environment.TickCount64);
            RestartContentClocks();
        }
        if (ClientWantsBlockedNotifications) SendOnChannel0(new ConnectionUnblocked());
    }

    // Frame errors carry RabbitMQ's full text ("FRAME_ERROR - ..."); AmqpException adds the code name itself.
    private static string StripCodeName(string text)
    {
        var prefix = AmqpException.CodeName(ReplyCode.FrameError) + " - ";
        return text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : text;
    }

    private void HandleFrame(in Frame frame)
    {
        if (_state == State.Closing)
        {
            HandleFrameWhileClosing(frame);
            return;
        }
        AmqpChannel? channel = null;
        try
        {
            switch (frame.Type)
            {
                case AmqpConstants.FrameHeartbeat:
                    if (frame.Channel != 0) throw AmqpException.Connection(ReplyCode.FrameError, "heartbeat frame on non-zero channel");
                    return;
                case AmqpConstants.FrameMethod:
                    WithContiguous(frame.Payload, (this, frame.Channel), static (payload, state) =>
                    {
                        state.Item1.HandleMethodFrame(state.Item2, payload);
                        return 0;
                    });
                    return;
                case AmqpConstants.FrameHeader:
                    channel = ContentChannel(frame.Channel);
                    if (channel.IsClosing) return; // dropped, as everything on a closing channel
                    WithContiguous(frame.Payload, channel, static (payload, c) =>
                    {
                        c.HandleContentHeader(payload);
                        return 0;
                    });
                    return;
                case AmqpConstants.FrameBody:
                    channel = ContentChannel(frame.Channel);
                    if (channel.IsClosing) return;
                    channel.HandleContentBody(frame.Payload);
                    return;
                default:
                    throw AmqpException.Connection(ReplyCode.FrameError, $"unknown frame type {frame.Type}");
            }
        }
        catch (AmqpException e)
        {
            channel ??= FindChannel(frame.Channel);
            if (e.DropsSocket)
            {
                _logger.LogInformation("Dropping connection from {Remote}: {Text}", RemoteEndPoint, e.Message);
                ReleaseResources();
                _state = State.Closing;
                _terminate = true;
            }
            else if (!e.ClosesConnection && channel is not null) channel.CloseWithError(e);
            else CloseWithError(e, waitForCloseOk: true);
        }
        catch (AmqpDecodeException e)
        {
            CloseWithError(AmqpException.Connection(e.ReplyCode, e.Message), waitForCloseOk: true);
        }
    }

    private void HandleMethodFrame(ushort channelNumber, ReadOnlySpan<byte> payload)
    {
        var methodId = AmqpMethodId.Read(payload);
        var arguments = payload[4..];
        try
        {
            if (channelNumber == 0)
            {
                HandleConnectionMethod(methodId, arguments);
                return;
            }
            if (_state != State.Open)
            {
                throw AmqpException.Connection(ReplyCode.ChannelError, $"expected 'connection.open' before channel methods", methodId);
            }
            if (!_channels.TryGetValue(channelNumber, out var channel))
            {
                OpenNewChannel(channelNumber, methodId);
                return;
            }
            if (channel.IsClosing)
            {
                // After channel.close, only close-ok (or a crossing close) matters; everything else is dropped.
                if (methodId == ChannelCloseOk.Id) RemoveChannel(channelNumber);
                else if (methodId == ChannelClose.Id)
                {
                    channel.Send(new ChannelCloseOk());
                    RemoveChannel(channelNumber);
                }
                return;
            }
            channel.HandleMethod(methodId, arguments);
        }
        catch (AmqpException e) when (e.MethodId == 0)
        {
            throw new AmqpException(e.ReplyCode, e.Message, methodId, e.ClosesConnection);
        }
        catch (AmqpDecodeException e) when (e.NamesNoMethod)
        {
            throw AmqpException.Connection(e.ReplyCode, e.Message);
        }
        catch (AmqpDecodeException)
        {
            // RabbitMQ reports arguments it cannot decode as a frame error showing the bytes.
            throw AmqpException.Connection(ReplyCode.FrameError, $"cannot decode {ErlangBinary(arguments)}", methodId);
        }
    }

    // Bytes as Erlang prints a binary: <<0,0,10,97>>, at most 64 shown.
    private static string ErlangBinary(ReadOnlySpan<byte> bytes)
    {
        var text = new System.Text.StringBuilder("<<");
        for (var i = 0; i < Math.Min(bytes.Length, 64); i++)
        {
            if (i > 0) text.Append(',');
            text.Append(bytes[i]);
        }
        if (bytes.Length > 64) text.Append(",...");
        return text.Append(">>").ToString();
    }

    private void OpenNewChannel(ushort number, uint methodId)
    {
        if (methodId != ChannelOpen.Id)
        {
            throw AmqpException.Connection(ReplyCode.ChannelError, "expected 'channel.open'", methodId);
        }
        if (number > _channelMax)
        {
            throw AmqpException.Connection(ReplyCode.ChannelError, $"channel number {number} is above the negotiated channel_max {_channelMax}", methodId);
        }
        try
        {
            Session!.OpenChannel();
        }
        catch (Broker.BrokerException e)
        {
            throw AmqpException.Connection((ushort)e.Error, e.Message, methodId);
        }
        var channel = new AmqpChannel(this, number);
        lock (_channels) _channels.Add(number, channel);
        _broker.Clients.NoteChannelOpened();
        channel.Send(new ChannelOpenOk());
    }

    private AmqpChannel ContentChannel(ushort number)
    {
        if (_state == State.Open && _channels.TryGetValue(number, out var channel)) return channel;
        throw AmqpException.Connection(ReplyCode.ChannelError, $"unexpected content frame on channel {number}");
    }

    private AmqpChannel? FindChannel(ushort number) => number != 0 && _channels.TryGetValue(number, out var channel) ? channel : null;

    // The channel table is changed only on the read loop, and always under its lock: the output
    // side (OnOutputDrained) enumerates it under that lock from another thread. Lookups on the
    // read loop need no lock, since no other thread writes.
    internal void RemoveChannel(ushort number)
    {
        bool removed;
        lock (_channels) removed = _channels.Remove(number);
        if (removed) Session?.CloseChannel();
    }

    private static TResult WithContiguous<TState, TResult>(in ReadOnlySequence<byte> payload, TState state, ReadOnlySpanFunc<TState, TResult> action)
    {
        if (payload.IsSingleSegment) return action(payload.FirstSpan, state);
        var length = (int)payload.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(rented);
            return action(rented.AsSpan(0, length), state);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private delegate TResult ReadOnlySpanFunc<in TState, out TResult>(ReadOnlySpan<byte> span, TState state);
}
