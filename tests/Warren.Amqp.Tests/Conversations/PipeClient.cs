using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Amqp.Connections;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Amqp.Tests.Conversations;

/// <summary>A frame the server sent, its payload copied out of the pipe.</summary>
internal sealed record ServerFrame(byte Type, ushort Channel, byte[] Payload)
{
    public uint MethodId => Type == AmqpConstants.FrameMethod ? AmqpMethodId.Read(Payload) : 0;

    public ReadOnlySpan<byte> Arguments => Payload.AsSpan(4);

    public override string ToString() => Type switch
    {
        AmqpConstants.FrameMethod when MethodId == ConnectionClose.Id => $"connection.close {ConnectionClose.ReadFrom(Arguments)}",
        AmqpConstants.FrameMethod when MethodId == ChannelClose.Id => $"channel.close on {Channel}: {ChannelClose.ReadFrom(Arguments)}",
        AmqpConstants.FrameMethod => $"method {MethodNames.Of(MethodId)} on channel {Channel}",
        AmqpConstants.FrameHeartbeat => "heartbeat",
        _ => $"frame type {Type} on channel {Channel}, {Payload.Length} bytes",
    };
}

/// <summary>
/// A minimal AMQP client driving an <see cref="AmqpConnection"/> over two in-memory pipes:
/// frames written with the codec, server frames cut with <see cref="FrameParser"/>.
/// </summary>
internal sealed class PipeClient : IAsyncDisposable
{
    /// <summary>Generous: the machine is shared, and no test waits this long when things work.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly CancellationTokenSource _stop = new();

    public PipeClient(Broker.Broker? broker = null, AmqpOptions? options = null, EndPoint? remoteEndPoint = null, TransportSecurity? security = null)
    {
        Broker = broker ?? new Broker.Broker();
        Connection = new AmqpConnection(Broker, new DuplexPipe(_toServer.Reader, _toClient.Writer), options ?? AmqpOptions.Default,
            remoteEndPoint ?? new IPEndPoint(IPAddress.Loopback, 50000), NullLogger.Instance, security);
        Run = Task.Run(() => Connection.RunAsync(_stop.Token));
    }

    public Broker.Broker Broker { get; }

    public AmqpConnection Connection { get; }

    /// <summary>RunAsync of the server side.</summary>
    public Task Run { get; }

    /// <summary>Frame-max used to split published bodies; set by the handshake.</summary>
    public uint FrameMax { get; set; } = AmqpConstants.DefaultFrameMax;

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    // ---- writing ----

    public async Task SendBytesAsync(byte[] bytes)
    {
        await _toServer.Writer.WriteAsync(bytes);
    }

    public Task SendProtocolHeaderAsync() => SendBytesAsync(AmqpConstants.ProtocolHeader.ToArray());

    public async Task SendAsync<T>(ushort channel, T method) where T : IAmqpMethod
    {
        FrameWriter.WriteMethodFrame(_toServer.Writer, channel, method);
        await _toServer.Writer.FlushAsync();
    }

    public async Task SendHeartbeatAsync()
    {
        FrameWriter.WriteHeartbeat(_toServer.Writer);
        await _toServer.Writer.FlushAsync();
    }

    /// <summary>Writes basic.publish with its content (body split by <see cref="FrameMax"/>); flushes unless told not to.</summary>
    public async Task PublishAsync(ushort channel, string exchange, string routingKey, byte[] body, MessageProperties? properties = null, bool flush = true)
    {
        var writer = _toServer.Writer;
        FrameWriter.WriteMethodFrame(writer, channel, new BasicPublish(exchange, routingKey, Mandatory: false, Immediate: false));
        FrameWriter.WriteContentHeaderFrame(writer, channel, (ulong)body.Length, properties ?? new MessageProperties());
        FrameWriter.WriteBodyFrames(writer, channel, body, FrameMax);
        if (flush) await writer.FlushAsync();
    }

    public async Task FlushAsync() => await _toServer.Writer.FlushAsync();

    /// <summary>The client hangs up: no more bytes to the server.</summary>
    public async Task CompleteOutputAsync() => await _toServer.Writer.CompleteAsync();

    // ---- reading ----

    /// <summary>Reads raw bytes (for the protocol header the server answers a bad header with); fewer if the server ends first.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var reader = _toClient.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(timeout.Token);
            var buffer = result.Buffer;
            if (buffer.Length >= count || result.IsCompleted)
            {
                var take = buffer.Slice(0, Math.Min(count, buffer.Length));
                var bytes = take.ToArray();
                reader.AdvanceTo(take.End);
                return bytes;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The next frame the server sends, heartbeats included; null when the server closed its output.</summary>
    public async Task<ServerFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? Timeout);
        var reader = _toClient.Reader;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                throw new TimeoutException($"no frame from the server within {timeout ?? Timeout}");
            }
            var buffer = result.Buffer;
            if (FrameParser.TryReadFrame(ref buffer, 0, out var frame))
            {
                var read = new ServerFrame(frame.Type, frame.Channel, frame.Payload.ToArray());
                reader.AdvanceTo(buffer.Start);
                return read;
            }
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The next frame that is not a heartbeat.</summary>
    public async Task<ServerFrame> ReadNonHeartbeatAsync()
    {
        while (true)
        {
            var frame = await ReadFrameAsync() ?? throw new Xunit.Sdk.XunitException("the server closed the connection");
            if (frame.Type != AmqpConstants.FrameHeartbeat) return frame;
        }
    }

    /// <summary>Reads the next method frame, which must be <typeparamref name="T"/> on <paramref name="channel"/>.</summary>
    public async Task<T> ExpectAsync<T>(ushort channel, uint methodId, SpanReader<T> read)
    {
        var frame = await ReadNonHeartbeatAsync();
        if (frame.Type != AmqpConstants.FrameMethod || frame.MethodId != methodId || frame.Channel != channel)
        {
            Assert.Fail($"expected {MethodNames.Of(methodId)} on channel {channel}, got {frame}");
        }
        return read(frame.Arguments);
    }

    public Task<ConnectionClose> ExpectConnectionCloseAsync() => ExpectAsync(0, ConnectionClose.Id, ConnectionClose.ReadFrom);

    /// <summary>Reads until the server ends its output, failing on any frame other than a heartbeat.</summary>
    public async Task ExpectEndAsync()
    {
        while (await ReadFrameAsync() is { } frame)
        {
            if (frame.Type != AmqpConstants.FrameHeartbeat) Assert.Fail($"expected the connection to end, got {frame}");
        }
    }

    /// <summary>Waits for the server's RunAsync to finish.</summary>
    public Task WaitForRunToEndAsync() => Run.WaitAsync(Timeout);

    /// <summary>Reads a content header and its body frames; returns the body and the number of body frames.</summary>
    public async Task<(MessageProperties Properties, byte[] Body, List<int> FrameSizes)> ReadContentAsync(ushort channel)
    {
        var header = await ReadNonHeartbeatAsync();
        Assert.Equal(AmqpConstants.FrameHeader, header.Type);
        Assert.Equal(channel, header.Channel);
        var (bodySize, properties) = ContentHeader.Read(header.Payload);
        var body = new byte[bodySize];
        var received = 0;
        var sizes = new List<int>();
        while (received < body.Length)
        {
            var frame = await ReadNonHeartbeatAsync();
            Assert.Equal(AmqpConstants.FrameBody, frame.Type);
            Assert.Equal(channel, frame.Channel);
            frame.Payload.CopyTo(body, received);
            received += frame.Payload.Length;
            sizes.Add(frame.Payload.Length);
        }
        return (properties, body, sizes);
    }

    // ---- conversations ----

    public static byte[] PlainResponse(string user, string password) => Encoding.UTF8.GetBytes($"\0{user}\0{password}");

    /// <summary>AMQPLAIN's response: a field table without its 4-byte length prefix, keys LOGIN and PASSWORD.</summary>
    public static byte[] AmqplainResponse(string user, string password)
    {
        var table = new Dictionary<string, object?> { ["LOGIN"] = user, ["PASSWORD"] = password };
        var buffer = new byte[FieldTable.GetSize(table)];
        var written = FieldTable.Write(buffer, table);
        return buffer[4..written];
    }

    /// <summary>Protocol header, then connection.start; returns it.</summary>
    public async Task<ConnectionStart> StartAsync()
    {
        await SendProtocolHeaderAsync();
        return await ExpectAsync(0, ConnectionStart.Id, ConnectionStart.ReadFrom);
    }

    /// <summary>Header, start/start-ok; returns connection.tune.</summary>
    public async Task<ConnectionTune> LogInAsync(string user = "guest", string password = "guest", string mechanism = "PLAIN")
    {
        await StartAsync();
        var response = mechanism == "AMQPLAIN" ? AmqplainResponse(user, password) : PlainResponse(user, password);
        await SendAsync(0, new ConnectionStartOk(new Dictionary<string, object?> { ["product"] = "Warren.Amqp.Tests" }, mechanism, response, "en_US"));
        return await ExpectAsync(0, ConnectionTune.Id, ConnectionTune.ReadFrom);
    }

    /// <summary>The whole handshake up to connection.open-ok.</summary>
    public async Task OpenAsync(ushort heartbeat = 0, uint frameMax = AmqpConstants.DefaultFrameMax, string virtualHost = "/", string mechanism = "PLAIN")
    {
        var tune = await LogInAsync(mechanism: mechanism);
        await SendAsync(0, new ConnectionTuneOk(tune.ChannelMax, frameMax, heartbeat));
        FrameMax = frameMax;
        await SendAsync(0, new ConnectionOpen(virtualHost));
        await ExpectAsync(0, ConnectionOpenOk.Id, ConnectionOpenOk.ReadFrom);
    }

    public async Task OpenChannelAsync(ushort channel)
    {
        await SendAsync(channel, new ChannelOpen());
        await ExpectAsync(channel, ChannelOpenOk.Id, ChannelOpenOk.ReadFrom);
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        try
        {
            await Run.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
        }
        await _toClient.Reader.CompleteAsync();
        _stop.Dispose();
    }
}
