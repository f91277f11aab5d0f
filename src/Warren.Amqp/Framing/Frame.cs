using System.Buffers;

namespace Warren.Amqp.Framing;

/// <summary>
/// One frame as read from the wire. <see cref="Payload"/> points into the read buffer: use it
/// before the buffer is advanced past it.
/// </summary>
public readonly struct Frame(byte type, ushort channel, ReadOnlySequence<byte> payload)
{
    /// <summary>The frame type (<see cref="Protocol.AmqpConstants.FrameMethod"/>, ...).</summary>
    public byte Type { get; } = type;

    public ushort Channel { get; } = channel;

    /// <summary>The bytes between the 7-byte header and the frame-end octet.</summary>
    public ReadOnlySequence<byte> Payload { get; } = payload;
}
