namespace Warren.Messaging;

/// <summary>What a handler knows about the message it handles.</summary>
public sealed class MessageContext
{
    private static readonly AsyncLocal<MessageContext?> s_current = new();

    internal MessageContext(string name, string messageId, string? correlationId, string conversationId, string? causationId,
        DateTimeOffset? sentTime, string? sender, IReadOnlyDictionary<string, string> headers, int attempt, IMessageBus bus, CancellationToken cancellationToken)
    {
        MessageName = name;
        MessageId = messageId;
        CorrelationId = correlationId;
        ConversationId = conversationId;
        CausationId = causationId;
        SentTime = sentTime;
        Sender = sender;
        Headers = headers;
        Attempt = attempt;
        Bus = bus;
        CancellationToken = cancellationToken;
    }

    /// <summary>The message being handled on this async flow, if any (what sending reads to flow ids).</summary>
    public static MessageContext? Current
    {
        get => s_current.Value;
        internal set => s_current.Value = value;
    }

    /// <summary>The message's wire name.</summary>
    public string MessageName { get; }

    /// <summary>Its unique id.</summary>
    public string MessageId { get; }

    /// <summary>Its correlation id.</summary>
    public string? CorrelationId { get; }

    /// <summary>The id shared by every message of one flow, set by the first message.</summary>
    public string ConversationId { get; }

    /// <summary>The id of the message whose handler sent this one.</summary>
    public string? CausationId { get; }

    /// <summary>When the sender sent it.</summary>
    public DateTimeOffset? SentTime { get; }

    /// <summary>The sending service.</summary>
    public string? Sender { get; }

    /// <summary>Headers as received, except the ones already members here or in the envelope (<c>warren-intent</c>, <c>warren-sent-time</c>: see <see cref="SentTime"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>1 on the first attempt, counting immediate and delayed retries.</summary>
    public int Attempt { get; }

    /// <summary>The bus, for sending more messages from the handler (ids flow).</summary>
    public IMessageBus Bus { get; }

    /// <summary>Signalled when the service stops.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The DI scope of the handler running now (send filters resolve from it); null outside a bus.</summary>
    internal IServiceProvider? Services { get; set; }
}
