using Warren.Broker.Messages;

namespace Warren.Amqp.Protocol;

/// <summary>
/// The payload of a content header frame, for class basic (60), the only class with content.
/// </summary>
/// <remarks>
/// <code>
/// +----------+--------+-----------+----------------+-----------------+
/// | class-id | weight | body-size | property-flags | property list   |
/// | short    | short 0| longlong  | short (+ more) | present ones    |
/// +----------+--------+-----------+----------------+-----------------+
/// </code>
/// Flag bits, most significant first: 15 content-type, 14 content-encoding, 13 headers,
/// 12 delivery-mode, 11 priority, 10 correlation-id, 9 reply-to, 8 expiration, 7 message-id,
/// 6 timestamp, 5 type, 4 user-id, 3 app-id, 2 cluster-id; bit 0 says another flag word follows.
/// </remarks>
public static class ContentHeader
{
    private const ushort ContentTypeFlag = 1 << 15;
    private const ushort ContentEncodingFlag = 1 << 14;
    private const ushort HeadersFlag = 1 << 13;
    private const ushort DeliveryModeFlag = 1 << 12;
    private const ushort PriorityFlag = 1 << 11;
    private const ushort CorrelationIdFlag = 1 << 10;
    private const ushort ReplyToFlag = 1 << 9;
    private const ushort ExpirationFlag = 1 << 8;
    private const ushort MessageIdFlag = 1 << 7;
    private const ushort TimestampFlag = 1 << 6;
    private const ushort TypeFlag = 1 << 5;
    private const ushort UserIdFlag = 1 << 4;
    private const ushort AppIdFlag = 1 << 3;
    private const ushort ClusterIdFlag = 1 << 2;
    private const ushort ContinuationFlag = 1;
    private const ushort UnknownFlags = 1 << 1;

    /// <summary>class-id, weight, body-size, property-flags.</summary>
    private const int FixedSize = 2 + 2 + 8 + 2;

    /// <summary>Bytes of the header frame payload for these properties.</summary>
    public static int GetSize(MessageProperties properties)
    {
        int size = FixedSize;
        if (properties.ContentType is not null) size += WireWriter.ShortStringSize(properties.ContentType);
        if (properties.ContentEncoding is not null) size += WireWriter.ShortStringSize(properties.ContentEncoding);
        if (properties.Headers is not null) size += FieldTable.GetSize(properties.Headers);
        if (properties.DeliveryMode is not null) size += 1;
        if (properties.Priority is not null) size += 1;
        if (properties.CorrelationId is not null) size += WireWriter.ShortStringSize(properties.CorrelationId);
        if (properties.ReplyTo is not null) size += WireWriter.ShortStringSize(properties.ReplyTo);
        if (properties.Expiration is not null) size += WireWriter.ShortStringSize(properties.Expiration);
        if (properties.MessageId is not null) size += WireWriter.ShortStringSize(properties.MessageId);
        if (properties.Timestamp is not null) size += 8;
        if (properties.Type is not null) size += WireWriter.ShortStringSize(properties.Type);
        if (properties.UserId is not null) size += WireWriter.ShortStringSize(properties.UserId);
        if (properties.AppId is not null) size += WireWriter.ShortStringSize(properties.AppId);
        if (properties.ClusterId is not null) size += WireWriter.ShortStringSize(properties.ClusterId);
        return size;
    }

    /// <summary>Writes a header frame payload; returns the bytes written (= <see cref="GetSize"/>).</summary>
    public static int Write(Span<byte> destination, ushort classId, ulong bodySize, MessageProperties properties)
    {
        var w = new WireWriter(destination);
        w.WriteShort(classId);
        w.WriteShort(0); // weight: unused, always 0
        w.WriteLongLong(bodySize);
        w.WriteShort(Flags(properties));
        if (properties.ContentType is not null) w.WriteShortString(properties.ContentType);
        if (properties.ContentEncoding is not null) w.WriteShortString(properties.ContentEncoding);
        if (properties.Headers is not null) w.WriteTable(properties.Headers);
        if (properties.DeliveryMode is { } deliveryMode) w.WriteOctet(deliveryMode);
        if (properties.Priority is { } priority) w.WriteOctet(priority);
        if (properties.CorrelationId is not null) w.WriteShortString(properties.CorrelationId);
        if (properties.ReplyTo is not null) w.WriteShortString(properties.ReplyTo);
        if (properties.Expiration is not null) w.WriteShortString(properties.Expiration);
        if (properties.MessageId is not null) w.WriteShortString(properties.MessageId);
        if (properties.Timestamp is { } timestamp) w.WriteTimestamp(timestamp);
        if (properties.Type is not null) w.WriteShortString(properties.Type);
        if (properties.UserId is not null) w.WriteShortString(properties.UserId);
        if (properties.AppId is not null) w.WriteShortString(properties.AppId);
        if (properties.ClusterId is not null) w.WriteShortString(properties.ClusterId);
        return w.Position;
    }

    /// <summary>The class id a header frame payload names (to check it against the method's class).</summary>
    public static ushort ReadClassId(ReadOnlySpan<byte> payload) => new WireReader(payload).ReadShort();

    /// <summary>
    /// Reads a header frame payload of class basic. Further flag words (continuation bit) are
    /// skipped; a flag for a property basic does not have throws <see cref="AmqpDecodeException"/>.
    /// </summary>
    public static (ulong BodySize, MessageProperties Properties) Read(ReadOnlySpan<byte> payload)
    {
        var r = new WireReader(payload);
        ushort classId = r.ReadShort();
        if (classId != AmqpClassId.Basic)
        {
            // RabbitMQ: "expected content header for class 60, got one for class N instead", 505.
            throw new AmqpDecodeException(ReplyCode.UnexpectedFrame,
                $"expected content header for class {AmqpClassId.Basic}, got one for class {classId} instead");
        }
        r.ReadShort(); // weight
        ulong bodySize = r.ReadLongLong();
        ushort flags = r.ReadShort();
        if ((flags & UnknownFlags) != 0)
            throw new AmqpDecodeException($"content header property flags 0x{flags:X4} set an unknown property (bit 1)");
        for (ushort more = flags; (more & ContinuationFlag) != 0;)
        {
            more = r.ReadShort();
            if ((more & ~ContinuationFlag) != 0)
                throw new AmqpDecodeException($"content header continuation flags 0x{more:X4} set unknown properties");
        }

        var p = new MessageProperties();
        if ((flags & ContentTypeFlag) != 0) p.ContentType = r.ReadOpaqueShortString();
        if ((flags & ContentEncodingFlag) != 0) p.ContentEncoding = r.ReadOpaqueShortString();
        // A headers table sent empty stays an (empty) table rather than becoming absent.
        if ((flags & HeadersFlag) != 0) p.Headers = r.ReadTable() ?? [];
        if ((flags & DeliveryModeFlag) != 0) p.DeliveryMode = r.ReadOctet();
        if ((flags & PriorityFlag) != 0) p.Priority = r.ReadOctet();
        if ((flags & CorrelationIdFlag) != 0) p.CorrelationId = r.ReadOpaqueShortString();
        if ((flags & ReplyToFlag) != 0) p.ReplyTo = r.ReadOpaqueShortString();
        if ((flags & ExpirationFlag) != 0) p.Expiration = r.ReadOpaqueShortString();
        if ((flags & MessageIdFlag) != 0) p.MessageId = r.ReadOpaqueShortString();
        if ((flags & TimestampFlag) != 0) p.Timestamp = r.ReadTimestamp();
        if ((flags & TypeFlag) != 0) p.Type = r.ReadOpaqueShortString();
        if ((flags & UserIdFlag) != 0) p.UserId = r.ReadOpaqueShortString();
        if ((flags & AppIdFlag) != 0) p.AppId = r.ReadOpaqueShortString();
        if ((flags & ClusterIdFlag) != 0) p.ClusterId = r.ReadOpaqueShortString();
        return (bodySize, p);
    }

    private static ushort Flags(MessageProperties p)
    {
        int flags = 0;
        if (p.ContentType is not null) flags |= ContentTypeFlag;
        if (p.ContentEncoding is not null) flags |= ContentEncodingFlag;
        if (p.Headers is not null) flags |= HeadersFlag;
        if (p.DeliveryMode is not null) flags |= DeliveryModeFlag;
        if (p.Priority is not null) flags |= PriorityFlag;
        if (p.CorrelationId is not null) flags |= CorrelationIdFlag;
        if (p.ReplyTo is not null) flags |= ReplyToFlag;
        if (p.Expiration is not null) flags |= ExpirationFlag;
        if (p.MessageId is not null) flags |= MessageIdFlag;
        if (p.Timestamp is not null) flags |= TimestampFlag;
        if (p.Type is not null) flags |= TypeFlag;
        if (p.UserId is not null) flags |= UserIdFlag;
        if (p.AppId is not null) flags |= AppIdFlag;
        if (p.ClusterId is not null) flags |= ClusterIdFlag;
        return (ushort)flags;
    }
}
