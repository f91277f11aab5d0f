using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Queues;

/// <summary>What a queue does when it is full.</summary>
public enum OverflowBehaviour
{
    /// <summary>Drop (or dead-letter) the oldest message.</summary>
    DropHead,
    /// <summary>Refuse the new message (nack to confirming publishers).</summary>
    RejectPublish,
    /// <summary>Refuse the new message and dead-letter it.</summary>
    RejectPublishDeadLetter,
}

/// <summary>
/// A queue's x-arguments, validated at declaration as RabbitMQ does: a bad value is refused with
/// 406 PRECONDITION_FAILED and RabbitMQ's text; arguments Warren does not know are accepted and
/// ignored, as RabbitMQ accepts unknown ones.
/// </summary>
public sealed record QueueArguments
{
    /// <summary>No arguments.</summary>
    public static QueueArguments None { get; } = new();

    /// <summary>x-message-ttl in milliseconds.</summary>
    public long? MessageTtl { get; init; }
    /// <summary>x-expires in milliseconds: the queue is deleted after this long unused.</summary>
    public long? Expires { get; init; }
    /// <summary>x-dead-letter-exchange.</summary>
    public string? DeadLetterExchange { get; init; }
    /// <summary>x-dead-letter-routing-key.</summary>
    public string? DeadLetterRoutingKey { get; init; }
    /// <summary>x-max-length (ready messages).</summary>
    public long? MaxLength { get; init; }
    /// <summary>x-max-length-bytes (body bytes of ready messages).</summary>
    public long? MaxLengthBytes { get; init; }
    /// <summary>x-overflow.</summary>
    public OverflowBehaviour Overflow { get; init; }
    /// <summary>x-max-priority (0: not a priority queue).</summary>
    public int MaxPriority { get; init; }
    /// <summary>x-single-active-consumer.</summary>
    public bool SingleActiveConsumer { get; init; }
    /// <summary>x-delivery-limit: deliveries after which a requeued message is dead-lettered instead.</summary>
    public long? DeliveryLimit { get; init; }

    /// <summary>x-queue-type=quorum: Warren serves it as a durable queue with delivery counting (x-delivery-count, x-delivery-limit).</summary>
    public bool IsQuorum { get; init; }

    /// <summary>Validates and reads the arguments of queue <paramref name="queue"/> (texts as RabbitMQ 3.10 writes them).</summary>
    public static QueueArguments Parse(IReadOnlyDictionary<string, object?>? arguments, string queue, string virtualHost, bool durable = true)
    {
        if (arguments is null || arguments.Count == 0) return None;
        var result = new QueueArguments();
        var type = arguments.TryGetValue("x-queue-type", out var typeValue) ? Text(result, "x-queue-type", typeValue, queue, virtualHost, "queue") : "classic";
        if (type is not ("classic" or "quorum" or "stream"))
        {
            throw Invalid("x-queue-type", queue, virtualHost, $"\"unsupported queue type '{type}'\"");
        }
        if (type != "classic" && !durable)
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"invalid property 'non-durable' for queue '{queue}' in vhost '{virtualHost}'");
        }
        if (type == "stream")
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"queue type 'stream' is not supported by Warren (queue '{queue}' in vhost '{virtualHost}')");
        }
        result = result with { IsQuorum = type == "quorum" };
        foreach (var (key, value) in arguments)
        {
            result = key switch
            {
                // RabbitMQ's ceiling for TTLs is Erlang's timer range in seconds, in milliseconds.
                "x-message-ttl" => result with { MessageTtl = NonNegative(key, value, queue, virtualHost, max: 4_294_967_295_000) },
                "x-expires" => result with { Expires = Positive(key, value, queue, virtualHost) },
                "x-dead-letter-exchange" => result with { DeadLetterExchange = Text(result, key, value, queue, virtualHost, "queue") },
                "x-dead-letter-routing-key" => result with { DeadLetterRoutingKey = Text(result, key, value, queue, virtualHost, "queue") },
                "x-max-length" => result with { MaxLength = NonNegative(key, value, queue, virtualHost) },
                "x-max-length-bytes" => result with { MaxLengthBytes = NonNegative(key, value, queue, virtualHost) },
                "x-max-priority" => result with { MaxPriority = (int)Priority(key, value, queue, virtualHost) },
                "x-delivery-limit" or "x-max-age" when !result.IsQuorum =>
                    throw new BrokerException(BrokerError.PreconditionFailed, $"invalid arg '{key}' for queue '{queue}' in vhost '{virtualHost}' of queue type rabbit_classic_queue"),
                "x-delivery-limit" => result with { DeliveryLimit = NonNegative(key, value, queue, virtualHost) },
                "x-single-active-consumer" => result with { SingleActiveConsumer = Bool(key, value, queue, virtualHost) },
                "x-overflow" => result with { Overflow = ParseOverflow(key, value, queue, virtualHost) },
                "x-queue-mode" => CheckMode(result, value, queue, virtualHost),
                _ => result,
            };
        }
        if (result.DeadLetterRoutingKey is not null && result.DeadLetterExchange is null)
        {
            throw Invalid("x-dead-letter-routing-key", queue, virtualHost, "routing_key_but_no_dlx_defined");
        }
        return result;
    }

    private static BrokerException Invalid(string key, string queue, string virtualHost, string detail) =>
        new(BrokerError.PreconditionFailed, $"invalid arg '{key}' for queue '{queue}' in vhost '{virtualHost}': {detail}");

    private static long Integer(string key, object? value, string queue, string virtualHost) =>
        FieldValues.TryGetInteger(value, out var number)
            ? number
            : throw Invalid(key, queue, virtualHost, $"\"expected integer, got {FieldValues.TypeName(value)}\"");

    private static long NonNegative(string key, object? value, string queue, string virtualHost, long max = long.MaxValue)
    {
        var number = Integer(key, value, queue, virtualHost);
        if (number < 0) throw Invalid(key, queue, virtualHost, $"{{value_negative,{number}}}");
        if (number > max) throw Invalid(key, queue, virtualHost, $"{{value_too_large,{number}}}");
        return number;
    }

    private static long Priority(string key, object? value, string queue, string virtualHost)
    {
        var number = NonNegative(key, value, queue, virtualHost);
        if (number > 255) throw Invalid(key, queue, virtualHost, $"{{max_value_exceeded,{number}}}");
        return number;
    }

    private static long Positive(string key, object? value, string queue, string virtualHost)
    {
        var number = NonNegative(key, value, queue, virtualHost);
        if (number == 0) throw Invalid(key, queue, virtualHost, "{value_zero,0}");
        return number;
    }

    // Text arguments of the wrong type get RabbitMQ's other wording.
    private static string Text(QueueArguments _, string key, object? value, string queue, string virtualHost, string kind) =>
        FieldValues.TryGetString(value, out var text)
            ? text
            : throw new BrokerException(BrokerError.PreconditionFailed, $"invalid type '{FieldValues.TypeName(value)}' for arg '{key}' in {kind} '{queue}' in vhost '{virtualHost}'");

    private static bool Bool(string key, object? value, string queue, string virtualHost) =>
        value is bool flag ? flag : throw Invalid(key, queue, virtualHost, $"{{unacceptable_type,{FieldValues.TypeName(value)}}}");

    private static OverflowBehaviour ParseOverflow(string key, object? value, string queue, string virtualHost) =>
        !FieldValues.TryGetString(value, out var text)
            ? throw Invalid(key, queue, virtualHost, $"{{unacceptable_type,{FieldValues.TypeName(value)}}}")
            : text switch
            {
                "drop-head" => OverflowBehaviour.DropHead,
                "reject-publish" => OverflowBehaviour.RejectPublish,
                "reject-publish-dlx" => OverflowBehaviour.RejectPublishDeadLetter,
                _ => throw Invalid(key, queue, virtualHost, "invalid_overflow"),
            };

    private static QueueArguments CheckMode(QueueArguments result, object? value, string queue, string virtualHost)
    {
        if (!FieldValues.TryGetString(value, out var mode)) throw Invalid("x-queue-mode", queue, virtualHost, $"{{unacceptable_type,{FieldValues.TypeName(value)}}}");
        if (mode is not ("default" or "lazy")) throw Invalid("x-queue-mode", queue, virtualHost, $"\"unsupported queue mode '{mode}'\"");
        return result;
    }
}
