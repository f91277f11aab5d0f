using Warren.Messaging.Configuration;

namespace Warren.Messaging.Transports;

/// <summary>
/// A message as a transport carries it: AMQP basic properties that the library uses, string
/// headers and the body. Transports map it to and from their own representation.
/// </summary>
public sealed class TransportMessage
{
    /// <summary>Unique id of this message (AMQP message-id).</summary>
    public string? MessageId { get; set; }

    /// <summary>AMQP correlation-id: a request's id, copied onto its reply; otherwise inherited from the message being handled.</summary>
    public string? CorrelationId { get; set; }

    /// <summary>AMQP reply-to: the queue a reply goes to.</summary>
    public string? ReplyTo { get; set; }

    /// <summary>AMQP type: the message name, e.g. <c>orders.placed</c>.</summary>
    public string? Type { get; set; }

    /// <summary>AMQP content-type.</summary>
    public string? ContentType { get; set; }

    /// <summary>AMQP app-id: the sending service.</summary>
    public string? AppId { get; set; }

    /// <summary>
    /// When it was sent, to the millisecond. Over AMQP: the timestamp property (whole seconds, for
    /// every AMQP tool) and the <see cref="WarrenHeaders.SentTime"/> header (Unix milliseconds).
    /// </summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Delivery mode 2 (persistent) when true.</summary>
    public bool Persistent { get; set; } = true;

    /// <summary>
    /// The pattern it belongs to; over AMQP the <see cref="WarrenHeaders.Intent"/> header. Null
    /// when the sender did not say (another client): the receiver infers it from where it arrived.
    /// </summary>
    public MessageIntent? Intent { get; set; }

    private Dictionary<string, string>? _headers;

    /// <summary>
    /// Headers other than the ones mapped to members (<see cref="WarrenHeaders.Intent"/>,
    /// <see cref="WarrenHeaders.SentTime"/>). Values other than strings that arrive from other
    /// clients are converted to strings. Created on first use.
    /// </summary>
    public Dictionary<string, string> Headers
    {
        get => _headers ??= new Dictionary<string, string>(StringComparer.Ordinal);
        set => _headers = value;
    }

    /// <summary>How many headers there are, without creating the dictionary.</summary>
    internal int HeaderCount => _headers?.Count ?? 0;

    /// <summary>A header's value or null, without creating the dictionary.</summary>
    internal string? Header(string name) => _headers?.GetValueOrDefault(name);

    /// <summary>The headers, read-only; a shared empty one when there are none.</summary>
    internal IReadOnlyDictionary<string, string> HeadersOrEmpty => _headers ?? s_noHeaders;

    private static readonly Dictionary<string, string> s_noHeaders = new(StringComparer.Ordinal);

    /// <summary>The body.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>A copy with its own header dictionary.</summary>
    public TransportMessage Clone()
    {
        var copy = (TransportMessage)MemberwiseClone();
        copy._headers = _headers is null ? null : new Dictionary<string, string>(_headers, StringComparer.Ordinal);
        return copy;
    }
}

/// <summary>A message received from a queue.</summary>
/// <param name="Message">Properties, headers and body.</param>
/// <param name="Queue">The queue it came from.</param>
/// <param name="Exchange">The exchange it was published to.</param>
/// <param name="RoutingKey">The routing key it was published with.</param>
/// <param name="Redelivered">True when delivered before and requeued.</param>
public sealed record IncomingMessage(TransportMessage Message, string Queue, string Exchange, string RoutingKey, bool Redelivered);
