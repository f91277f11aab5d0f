using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;

namespace Warren.Bench.Lean;

/// <summary>
/// A minimal AMQP 0-9-1 client on a raw socket with Warren's own codec: one channel, no
/// heartbeats, frames written in batches and parsed in place. It costs a fraction of a full
/// client per message, so that on a small machine the broker rather than the client is measured.
/// </summary>
internal sealed class LeanConnection : IAsyncDisposable
{
    public const ushort Channel = 1;
    private const uint FrameMax = AmqpConstants.DefaultFrameMax;

    private readonly Socket _socket;
    private readonly byte[] _input = new byte[256 * 1024];
    private int _start;
    private int _end;

    private LeanConnection(Socket socket) => _socket = socket;

    /// <summary>Frames to send; <see cref="FlushAsync"/> sends them in one write.</summary>
    public ArrayBufferWriter<byte> Output { get; } = new(256 * 1024);

    /// <summary>Connects, authenticates (PLAIN) and opens channel 1.</summary>
    public static async Task<LeanConnection> OpenAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(uri.Host, uri.Port, cancellationToken);
        var connection = new LeanConnection(socket);
        var user = Uri.UnescapeDataString(uri.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(uri.UserInfo.Split(':', 2)[^1]);
        var vhost = uri.AbsolutePath.Length <= 1 ? "/" : Uri.UnescapeDataString(uri.AbsolutePath[1..]);

        await socket.SendAsync(AmqpConstants.ProtocolHeader.ToArray(), cancellationToken);
        await connection.ExpectAsync(ConnectionStart.Id, cancellationToken);
        connection.Write(0, new ConnectionStartOk(null, "PLAIN", Encoding.UTF8.GetBytes($"\0{user}\0{password}"), "en_US"));
        await connection.FlushAsync(cancellationToken);
        await connection.ExpectAsync(ConnectionTune.Id, cancellationToken);
        connection.Write(0, new ConnectionTuneOk(AmqpConstants.DefaultChannelMax, FrameMax, 0));
        connection.Write(0, new ConnectionOpen(vhost));
        await connection.FlushAsync(cancellationToken);
        await connection.ExpectAsync(ConnectionOpenOk.Id, cancellationToken);
        connection.Write(Channel, default(ChannelOpen));
        await connection.FlushAsync(cancellationToken);
        await connection.ExpectAsync(ChannelOpenOk.Id, cancellationToken);
        return connection;
    }

    public void Write<T>(ushort channel, in T method) where T : IAmqpMethod => FrameWriter.WriteMethodFrame(Output, channel, in method);

    /// <summary>basic.publish, its content header and body.</summary>
    public void WritePublish(in BasicPublish publish, Warren.Broker.Messages.MessageProperties properties, ReadOnlySpan<byte> body)
    {
        FrameWriter.WriteMethodFrame(Output, Channel, in publish);
        FrameWriter.WriteContentHeaderFrame(Output, Channel, (ulong)body.Length, properties);
        FrameWriter.WriteBodyFrames(Output, Channel, body, FrameMax);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (Output.WrittenCount == 0) return;
        await _socket.SendAsync(Output.WrittenMemory, cancellationToken);
        Output.ResetWrittenCount();
    }

    /// <summary>Reads more bytes and hands every complete frame to <paramref name="onFrame"/>; false once the peer closed.</summary>
    public async ValueTask<bool> ReceiveAsync(FrameHandler onFrame, CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _input.Length)
        {
            // Keep the unparsed tail at the front; a frame never exceeds frame-max, far below the buffer.
            Buffer.BlockCopy(_input, _start, _input, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        int read = await _socket.ReceiveAsync(_input.AsMemory(_end), cancellationToken);
        if (read == 0) return false;
        _end += read;
        var buffer = new ReadOnlySequence<byte>(_input, _start, _end - _start);
        while (FrameParser.TryReadFrame(ref buffer, FrameMax, out var frame))
        {
            var payload = frame.Payload.FirstSpan;
            if (frame.Type == AmqpConstants.FrameMethod && BinaryPrimitives.ReadUInt32BigEndian(payload) is ConnectionClose.Id or ChannelClose.Id)
            {
                var close = ConnectionClose.ReadFrom(payload[4..]);
                throw new InvalidOperationException($"the broker closed: {close.ReplyCode} {close.ReplyText}");
            }
            onFrame(frame.Type, payload);
        }
        _start = _end - (int)buffer.Length;
        return true;
    }

    public delegate void FrameHandler(byte type, ReadOnlySpan<byte> payload);

    private async Task ExpectAsync(uint methodId, CancellationToken cancellationToken)
    {
        bool seen = false;
        uint got = 0;
        while (!seen)
        {
            if (!await ReceiveAsync((type, payload) =>
            {
                if (type != AmqpConstants.FrameMethod) return;
                got = BinaryPrimitives.ReadUInt32BigEndian(payload);
                seen = true;
            }, cancellationToken))
            {
                throw new InvalidOperationException($"the broker closed the socket while the client waited for method {methodId >> 16}.{methodId & 0xFFFF}");
            }
        }
        if (got != methodId) throw new InvalidOperationException($"expected method {methodId >> 16}.{methodId & 0xFFFF}, got {got >> 16}.{got & 0xFFFF}");
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
