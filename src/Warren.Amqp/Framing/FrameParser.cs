using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Warren.Amqp.Protocol;

namespace Warren.Amqp.Framing;

/// <summary>
/// Cuts frames off the front of a read buffer.
/// </summary>
/// <remarks>
/// <code>
/// +------+---------+-----------+----------------+-----------+
/// | type | channel | size      | payload        | frame-end |
/// | u8   | u16     | u32       | size octets    | 0xCE      |
/// +------+---------+-----------+----------------+-----------+
/// </code>
/// Errors follow RabbitMQ's reader (rabbit_reader.erl): the size is checked as soon as the
/// header is in, the frame-end once the whole frame is, the type last; each is 501 FRAME_ERROR
/// with RabbitMQ's reply text.
/// </remarks>
public static class FrameParser
{
    /// <summary>
    /// Reads one complete frame from the front of <paramref name="buffer"/> and advances the
    /// buffer past it; false (buffer untouched) when the frame is not complete yet.
    /// </summary>
    /// <param name="frameMax">
    /// The negotiated frame-max, 0 for no limit. As RabbitMQ, a payload up to frame-max itself is
    /// accepted (RabbitMQ allows 8 octets of slack, "since quite a few [clients] get it wrong").
    /// </param>
    /// <exception cref="AmqpFrameException">The stream is not valid framing.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, uint frameMax, out Frame frame)
    {
        frame = default;
        if (buffer.Length < AmqpConstants.FrameHeaderSize) return false;

        Span<byte> header = stackalloc byte[AmqpConstants.FrameHeaderSize];
        buffer.Slice(0, AmqpConstants.FrameHeaderSize).CopyTo(header);
        byte type = header[0];
        ushort channel = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        uint size = BinaryPrimitives.ReadUInt32BigEndian(header[3..]);

        if (frameMax != 0 && size > frameMax)
        {
            throw new AmqpFrameException(ReplyCode.FrameError,
                $"FRAME_ERROR - type {type}, all octets = <<>>: {{frame_too_large,{size},{frameMax - AmqpConstants.FrameOverhead}}}");
        }

        long total = AmqpConstants.FrameHeaderSize + (long)size + 1;
        if (buffer.Length < total) return false;

        var payload = buffer.Slice(AmqpConstants.FrameHeaderSize, size);
        byte end = buffer.Slice(total - 1, 1).FirstSpan[0];
        if (end != AmqpConstants.FrameEnd)
            throw new AmqpFrameException(ReplyCode.FrameError, ErrorText(type, payload, $"{{invalid_frame_end_marker,{end}}}"));
        if (type is not (AmqpConstants.FrameMethod or AmqpConstants.FrameHeader or AmqpConstants.FrameBody or AmqpConstants.FrameHeartbeat))
            throw new AmqpFrameException(ReplyCode.FrameError, ErrorText(type, payload, "unknown_frame"));

        frame = new Frame(type, channel, payload);
        buffer = buffer.Slice(total);
        return true;
    }

    /// <summary>RabbitMQ's "type ~p, ~s octets = ~p: ~p", the payload shown up to 16 octets.</summary>
    private static string ErrorText(byte type, ReadOnlySequence<byte> payload, string error)
    {
        var snippet = new StringBuilder("<<");
        var shown = payload.Slice(0, Math.Min(payload.Length, 16));
        int i = 0;
        foreach (var segment in shown)
        {
            foreach (byte b in segment.Span)
            {
                if (i++ > 0) snippet.Append(',');
                snippet.Append(b);
            }
        }
        snippet.Append(">>");
        string which = payload.Length <= 16 ? "all" : "first 16";
        return $"FRAME_ERROR - type {type}, {which} octets = {snippet}: {error}";
    }
}
