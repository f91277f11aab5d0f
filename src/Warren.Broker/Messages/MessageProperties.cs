#pragma warning disable CS1591 // the members are AMQP basic properties, documented by the protocol
namespace Warren.Broker.Messages;

/// <summary>
/// The properties a publisher attaches to a message (AMQP's basic properties, protocol-neutral).
/// A null member is an absent property.
/// </summary>
/// <remarks>
/// Header values use these CLR types (one per AMQP type, see <see cref="FieldValues"/>): bool,
/// sbyte, byte, short, ushort, int, uint, long, ulong, float, double, decimal, byte[] (a long string as sent), string (written as a long string),
/// DateTimeOffset (a timestamp), IDictionary&lt;string, object?&gt; (a nested table),
/// IList&lt;object?&gt; (an array), null (void).
/// </remarks>
public sealed class MessageProperties
{
    /// <summary>An instance with no property set. Never mutate it.</summary>
    public static MessageProperties Empty { get; } = new();

    public string? ContentType { get; set; }
    public string? ContentEncoding { get; set; }
    public Dictionary<string, object?>? Headers { get; set; }
    /// <summary>1 = transient, 2 = persistent.</summary>
    public byte? DeliveryMode { get; set; }
    public byte? Priority { get; set; }
    public string? CorrelationId { get; set; }
    public string? ReplyTo { get; set; }
    /// <summary>Per-message TTL in milliseconds, as a decimal string (RabbitMQ's convention).</summary>
    public string? Expiration { get; set; }
    public string? MessageId { get; set; }
    /// <summary>Seconds since the Unix epoch.</summary>
    public ulong? Timestamp { get; set; }
    public string? Type { get; set; }
    public string? UserId { get; set; }
    public string? AppId { get; set; }
    public string? ClusterId { get; set; }

    /// <summary>True when delivery-mode is 2.</summary>
    public bool IsPersistent => DeliveryMode == 2;

    /// <summary>A shallow copy (headers copied one level deep) for the broker to edit, e.g. when dead-lettering.</summary>
    public MessageProperties Clone()
    {
        var copy = (MessageProperties)MemberwiseClone();
        if (Headers is not null) copy.Headers = new Dictionary<string, object?>(Headers);
        return copy;
    }
}
