namespace Warren.Broker.Messages;

/// <summary>
/// A published message. Immutable once published: one instance (and one body) is shared by every
/// queue it is routed to.
/// </summary>
public sealed class Message
{
    /// <summary>Creates a message as published to <paramref name="exchange"/> with <paramref name="routingKey"/>.</summary>
    public Message(string exchange, string routingKey, MessageProperties properties, byte[] body)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
        Properties = properties;
        Body = body;
    }

    /// <summary>The exchange it was published to ("" for the default exchange).</summary>
    public string Exchange { get; }

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey { get; }

    /// <summary>The publisher's properties.</summary>
    public MessageProperties Properties { get; }

    /// <summary>The body, shared, never modified.</summary>
    public byte[] Body { get; }

    /// <summary>
    /// The serialised form written to disk, made once for a message routed to several durable
    /// queues and kept only while it is enqueued on them: a queued message holds its body once.
    /// </summary>
    internal byte[]? StoredForm { get; set; }
}
