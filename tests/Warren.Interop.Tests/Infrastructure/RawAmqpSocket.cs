using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Warren.Interop.Tests.Infrastructure;

/// <summary>One frame as read off the wire.</summary>
public sealed record RawFrame(byte Type, ushort Channel, byte[] Payload)
{
    public const byte Method = 1, Header = 2, Body = 3, Heartbeat = 8;

    public ushort ClassId => BinaryPrimitives.ReadUInt16BigEndian(Payload);

    public ushort MethodId => BinaryPrimitives.ReadUInt16BigEndian(Payload.AsSpan(2));

    public bool Is(ushort classId, ushort methodId) => Type == Method && ClassId == classId && MethodId == methodId;

    public override string ToString() => Type == Method ? $"method {ClassId}/{MethodId} on {Channel}" : $"frame type {Type} on {Channel}";
}

/// <summary>A connection.close (or channel.close) as sent by the broker.</summary>
public sealed record RawClose(ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodId);

/// <summary>Big-endian writer for AMQP method arguments and frames, written by hand on purpose.</summary>
public sealed class AmqpWriter
{
    private readonly List<byte> buffer = [];

    public AmqpWriter Octet(byte value)
    {
        buffer.Add(value);
        return this;
    }

    public AmqpWriter Short(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        buffer.AddRange(b);
        return this;
    }

    public AmqpWriter Long(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        buffer.AddRange(b);
        return this;
    }

    public AmqpWriter LongLong(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        buffer.AddRange(b);
        return this;
    }

    public AmqpWriter ShortStr(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Octet((byte)bytes.Length);
        buffer.AddRange(bytes);
        return this;
    }

    public AmqpWriter LongStr(byte[] value)
    {
        Long((uint)value.Length);
        buffer.AddRange(value);
        return this;
    }

    public AmqpWriter EmptyTable() => Long(0);

    public AmqpWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        buffer.AddRange(bytes);
        return this;
    }

    public byte[] ToArray() => [.. buffer];

    /// <summary>
    /// <code>
    /// +------+---------+---------+----------------+-----------+
    /// | type | channel |  size   |    payload     | frame-end |
    /// |  1   |    2    |    4    |   size bytes   |   0xCE    |
    /// +------+---------+---------+----------------+-----------+
    /// </code>
    /// </summary>
    public static byte[] Frame(byte type, ushort channel, ReadOnlySpan<byte> payload, byte frameEnd = 0xCE) =>
        new AmqpWriter().Octet(type).Short(channel).Long((uint)payload.Length).Bytes(payload).Octet(frameEnd).ToArray();

    public static byte[] MethodFrame(ushort channel, ushort classId, ushort methodId, Action<AmqpWriter>? arguments = null)
    {
        var w = new AmqpWriter().Short(classId).Short(methodId);
        arguments?.Invoke(w);
        return Frame(RawFrame.Method, channel, w.ToArray());
    }

    /// <summary>A basic content header with no properties: class 60, weight 0, body size, flags 0.</summary>
    public static byte[] ContentHeaderFrame(ushort channel, ulong bodySize) =>
        Frame(RawFrame.Header, channel, new AmqpWriter().Short(60).Short(0).LongLong(bodySize).Short(0).ToArray());
}

/// <summary>
/// A bare TCP connection speaking just enough AMQP 0-9-1 by hand to reach the open state, then
/// send malformed input; independent of any client library.
/// </summary>
public sealed class RawAmqpSocket : IAsyncDisposable
{
    public static readonly byte[] ProtocolHeader = "AMQP\0\0\x09\x01"u8.ToArray();

    private readonly TcpClient client;
    private readonly NetworkStream stream;

    private RawAmqpSocket(TcpClient client)
    {
        this.client = client;
        stream = client.GetStream();
    }

    /// <summary>Frame-max from connection.tune, echoed back in tune-ok.</summary>
    public uint FrameMax { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="uri">The broker.</param>
    /// <param name="receiveBufferSize">A fixed socket receive buffer (no autotuning), for tests that
    /// stop reading and count what the broker holds back; 0 keeps the system's default.</param>
    public static async Task<RawAmqpSocket> ConnectAsync(Uri uri, int receiveBufferSize = 0)
    {
        var client = new TcpClient { NoDelay = true };
        if (receiveBufferSize > 0) client.ReceiveBufferSize = receiveBufferSize;
        await client.ConnectAsync(uri.Host, uri.Port, Ct);
        return new RawAmqpSocket(client);
    }

    public async Task SendAsync(byte[] bytes) => await stream.WriteAsync(bytes, Ct);

    public Task SendMethodAsync(ushort channel, ushort classId, ushort methodId, Action<AmqpWriter>? arguments = null) =>
        SendAsync(AmqpWriter.MethodFrame(channel, classId, methodId, arguments));

    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, Ct).AsTask().WaitAsync(InteropTest.Timeout, Ct);
        return buffer;
    }

    public async Task<RawFrame> ReadFrameAsync()
    {
        var head = await ReadExactlyAsync(7);
        var size = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(3));
        var rest = await ReadExactlyAsync(size + 1);
        Assert.Equal(0xCE, rest[size]);
        return new RawFrame(head[0], BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(1)), rest[..size]);
    }

    /// <summary>Reads frames, skipping heartbeats, until a method frame; asserts its ids.</summary>
    public async Task<RawFrame> ExpectMethodAsync(ushort classId, ushort methodId)
    {
        RawFrame frame;
        do frame = await ReadFrameAsync();
        while (frame.Type == RawFrame.Heartbeat);
        Assert.True(frame.Is(classId, methodId), $"expected method {classId}/{methodId}, got {frame}");
        return frame;
    }

    /// <summary>
    /// Header, start/start-ok (PLAIN guest/guest), tune/tune-ok (the server's channel-max and
    /// frame-max, heartbeats off), open "/" / open-ok.
    /// </summary>
    public async Task HandshakeAsync()
    {
        await SendAsync(ProtocolHeader);
        await ExpectMethodAsync(10, 10);
        await SendMethodAsync(0, 10, 11, w => w
            .EmptyTable()
            .ShortStr("PLAIN")
            .LongStr("\0guest\0guest"u8.ToArray())
            .ShortStr("en_US"));
        var tune = await ExpectMethodAsync(10, 30);
        var channelMax = BinaryPrimitives.ReadUInt16BigEndian(tune.Payload.AsSpan(4));
        FrameMax = BinaryPrimitives.ReadUInt32BigEndian(tune.Payload.AsSpan(6));
        await SendMethodAsync(0, 10, 31, w => w.Short(channelMax).Long(FrameMax).Short(0));
        await SendMethodAsync(0, 10, 40, w => w.ShortStr("/").ShortStr("").Octet(0));
        await ExpectMethodAsync(10, 41);
    }

    public async Task OpenChannelAsync(ushort channel)
    {
        await SendMethodAsync(channel, 20, 10, w => w.ShortStr(""));
        await ExpectMethodAsync(20, 11);
    }

    /// <summary>Reads until connection.close on channel 0 and returns its arguments.</summary>
    public async Task<RawClose> ExpectConnectionCloseAsync()
    {
        RawFrame frame;
        do frame = await ReadFrameAsync();
        while (!(frame.Channel == 0 && frame.Is(10, 50)));
        return ParseClose(frame.Payload);
    }

    /// <summary>Reads until channel.close on the given channel and returns its arguments.</summary>
    public async Task<RawClose> ExpectChannelCloseAsync(ushort channel)
    {
        RawFrame frame;
        do frame = await ReadFrameAsync();
        while (!(frame.Channel == channel && frame.Is(20, 40)));
        return ParseClose(frame.Payload);
    }

    private static RawClose ParseClose(byte[] payload)
    {
        var p = payload.AsSpan(4);
        var code = BinaryPrimitives.ReadUInt16BigEndian(p);
        var textLength = p[2];
        var text = Encoding.UTF8.GetString(p.Slice(3, textLength));
        var rest = p[(3 + textLength)..];
        return new RawClose(code, text, BinaryPrimitives.ReadUInt16BigEndian(rest), BinaryPrimitives.ReadUInt16BigEndian(rest[2..]));
    }

    /// <summary>
    /// Answers the broker's connection.close with close-ok (it may already have gone), then
    /// asserts that the broker closes the socket.
    /// </summary>
    public async Task AcknowledgeCloseAndExpectSocketClosedAsync()
    {
        try
        {
            await SendMethodAsync(0, 10, 51);
        }
        catch (IOException) { /* the broker may close without waiting for close-ok */ }
        await ExpectSocketClosedAsync();
    }

    /// <summary>Reads until end of stream (or a reset); any bytes before that are ignored.</summary>
    public async Task ExpectSocketClosedAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(InteropTest.Timeout, Ct) > 0)
            {
            }
        }
        catch (IOException) { /* connection reset: closed too */ }
    }

    /// <summary>Reads everything until the broker closes the socket.</summary>
    public async Task<byte[]> ReadToEndAsync()
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, Ct).AsTask().WaitAsync(InteropTest.Timeout, Ct)) > 0)
                all.Write(buffer, 0, n);
        }
        catch (IOException) { }
        return all.ToArray();
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }
}
