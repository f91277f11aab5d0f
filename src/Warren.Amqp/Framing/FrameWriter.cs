using System.Buffers;
using System.Buffers.Binary;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Amqp.Framing;

/// <summary>
/// Writes whole frames. Nothing is allocated beyond the memory the buffer writer hands out.
/// </summary>
public static class FrameWriter
{
    private static ReadOnlySpan<byte> Heartbeat => [AmqpConstants.FrameHeartbeat, 0, 0, 0, 0, 0, 0, AmqpConstants.FrameEnd];

    /// <summary>Bytes of the method frame for <paramref name="method"/>, overhead included.</summary>
    public static int GetMethodFrameSize<T>(in T method) where T : IAmqpMethod =>
        method.GetSize() + AmqpConstants.FrameOverhead;

    /// <summary>Writes a method frame into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteMethodFrame<T>(Span<byte> destination, ushort channel, in T method) where T : IAmqpMethod
    {
        int size = method.GetSize();
        WriteFrameHeader(destination, AmqpConstants.FrameMethod, channel, size);
        method.WriteTo(destination.Slice(AmqpConstants.FrameHeaderSize, size));
        destination[AmqpConstants.FrameHeaderSize + size] = AmqpConstants.FrameEnd;
        return size + AmqpConstants.FrameOverhead;
    }

    public static void WriteMethodFrame<T>(IBufferWriter<byte> output, ushort channel, in T method) where T : IAmqpMethod
    {
        int total = method.GetSize() + AmqpConstants.FrameOverhead;
        output.Advance(WriteMethodFrame(output.GetSpan(total), channel, in method));
    }

    /// <summary>
    /// Writes a whole message: its method frame (basic.deliver, basic.get-ok, basic.return), the
    /// content header and the body frames. Every size is measured before the first byte is
    /// written, so a message that cannot be encoded throws with nothing written: a half-written
    /// delivery would break the framing of everything after it on the connection.
    /// </summary>
    public static void WriteMessage<T>(IBufferWriter<byte> output, ushort channel, in T method, MessageProperties properties, ReadOnlySpan<byte> body, uint frameMax)
        where T : IAmqpMethod
    {
        int methodSize = method.GetSize();
        int headerSize = ContentHeader.GetSize(properties);
        var span = output.GetSpan(methodSize + AmqpConstants.FrameOverhead);
        WriteFrameHeader(span, AmqpConstants.FrameMethod, channel, methodSize);
        method.WriteTo(span.Slice(AmqpConstants.FrameHeaderSize, methodSize));
        span[AmqpConstants.FrameHeaderSize + methodSize] = AmqpConstants.FrameEnd;
        output.Advance(methodSize + AmqpConstants.FrameOverhead);
        WriteContentHeaderFrame(output, channel, (ulong)body.Length, properties, headerSize);
        WriteBodyFrames(output, channel, body, frameMax);
    }

    /// <summary>Writes the content header frame of class basic.</summary>
    public static void WriteContentHeaderFrame(IBufferWriter<byte> output, ushort channel, ulong bodySize, MessageProperties properties) =>
        WriteContentHeaderFrame(output, channel, bodySize, properties, ContentHeader.GetSize(properties));

    private static void WriteContentHeaderFrame(IBufferWriter<byte> output, ushort channel, ulong bodySize, MessageProperties properties, int size)
    {
        var span = output.GetSpan(size + AmqpConstants.FrameOverhead);
        WriteFrameHeader(span, AmqpConstants.FrameHeader, channel, size);
        ContentHeader.Write(span.Slice(AmqpConstants.FrameHeaderSize, size), AmqpClassId.Basic, bodySize, properties);
        span[AmqpConstants.FrameHeaderSize + size] = AmqpConstants.FrameEnd;
        output.Advance(size + AmqpConstants.FrameOverhead);
    }

    /// <summary>
    /// Writes the body as body frames of at most <paramref name="frameMax"/> bytes each, overhead
    /// included (0 = no limit, one frame). An empty body writes no frame, as RabbitMQ.
    /// </summary>
    public static void WriteBodyFrames(IBufferWriter<byte> output, ushort channel, ReadOnlySpan<byte> body, uint frameMax)
    {
        if (frameMax != 0 && frameMax <= AmqpConstants.FrameOverhead)
            throw new ArgumentOutOfRangeException(nameof(frameMax), frameMax, "frame-max must leave room for a payload");
        int maxPayload = frameMax == 0 || frameMax > int.MaxValue
            ? int.MaxValue - AmqpConstants.FrameOverhead
            : (int)frameMax - AmqpConstants.FrameOverhead;
        while (!body.IsEmpty)
        {
            int size = Math.Min(body.Length, maxPayload);
            var span = output.GetSpan(size + AmqpConstants.FrameOverhead);
            WriteFrameHeader(span, AmqpConstants.FrameBody, channel, size);
            body[..size].CopyTo(span[AmqpConstants.FrameHeaderSize..]);
            span[AmqpConstants.FrameHeaderSize + size] = AmqpConstants.FrameEnd;
            output.Advance(size + AmqpConstants.FrameOverhead);
            body = body[size..];
        }
    }

    /// <summary>Writes a heartbeat frame (type 8, channel 0, empty payload).</summary>
    public static void WriteHeartbeat(IBufferWriter<byte> output)
    {
        Heartbeat.CopyTo(output.GetSpan(Heartbeat.Length));
        output.Advance(Heartbeat.Length);
    }

    private static void WriteFrameHeader(Span<byte> destination, byte type, ushort channel, int payloadSize)
    {
        destination[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], channel);
        BinaryPrimitives.WriteUInt32BigEndian(destination[3..], (uint)payloadSize);
    }
}
