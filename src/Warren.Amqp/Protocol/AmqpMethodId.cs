using System.Buffers.Binary;

namespace Warren.Amqp.Protocol;

/// <summary>
/// A method id packs the class id in the high 16 bits and the method id (index within the
/// class) in the low 16 bits, which is also how the first 4 bytes of a method frame read as a
/// big-endian u32.
/// </summary>
public static class AmqpMethodId
{
    public static uint Make(ushort classId, ushort methodIndex) => ((uint)classId << 16) | methodIndex;

    public static ushort ClassId(uint methodId) => (ushort)(methodId >> 16);

    public static ushort MethodIndex(uint methodId) => (ushort)methodId;

    /// <summary>The method id at the start of a method frame payload; fewer than 4 bytes throws <see cref="AmqpDecodeException"/>.</summary>
    public static uint Read(ReadOnlySpan<byte> methodPayload)
    {
        if (methodPayload.Length < 4)
            throw new AmqpDecodeException(ReplyCode.FrameError, $"method frame payload of {methodPayload.Length} bytes has no method id");
        return BinaryPrimitives.ReadUInt32BigEndian(methodPayload);
    }

    /// <summary>True for the methods followed by a content header and body frames.</summary>
    public static bool HasContent(uint methodId) =>
        methodId is BasicPublish.Id or BasicReturn.Id or BasicDeliver.Id or BasicGetOk.Id;
}

/// <summary>The class ids of AMQP 0-9-1 (and RabbitMQ's confirm class).</summary>
public static class AmqpClassId
{
    public const ushort Connection = 10;
    public const ushort Channel = 20;
    public const ushort Exchange = 40;
    public const ushort Queue = 50;
    public const ushort Basic = 60;
    public const ushort Confirm = 85;
    public const ushort Tx = 90;
}
