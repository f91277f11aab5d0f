using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.Routing;

namespace Warren.Broker.VirtualHosts;

// Dead-lettering as RabbitMQ does it: the message goes to the queue's x-dead-letter-exchange with
// its x-death history updated; automatic cycles (no rejection on the way round) are dropped.
public sealed partial class VirtualHost
{
    /// <summary>Publishes messages that left <paramref name="source"/> to its dead-letter exchange. Called outside any queue lock.</summary>
    internal void DeadLetter(Queue source, List<DeadLetter> deadLetters)
    {
        var arguments = source.Arguments;
        if (arguments.DeadLetterExchange is not { } exchangeName) return;
        // A dead-letter exchange that does not exist drops the message silently (RabbitMQ).
        if (!_exchanges.TryGetValue(exchangeName, out var exchange)) return;
        var scratch = RoutingScratch.Rent();
        try
        {
            foreach (var deadLetter in deadLetters)
            {
                var message = Rewrite(source, deadLetter, exchangeName);
                if (arguments.DeadLetterRoutingKey is not null) Route(exchange, message, message.RoutingKey, scratch);
                else RouteWithExtraKeys(exchange, message, scratch);
                if (deadLetter.Reason != DeadLetterReason.Rejected) scratch.Queues.RemoveAll(queue => IsCycle(queue.Name, message));
                EnqueueAll(scratch.Queues, message);
                scratch.Clear();
            }
        }
        finally
        {
            RoutingScratch.Return(scratch);
        }
    }

    // The dead letter: same body, routed to the DLX with the dead-letter key (or its own keys),
    // its x-death entry for (queue, reason) counted up and moved first, x-first-death-* set once.
    private static Message Rewrite(Queue source, DeadLetter deadLetter, string exchangeName)
    {
        var original = deadLetter.Message;
        var properties = original.Properties.Clone();
        var headers = properties.Headers ??= new Dictionary<string, object?>();
        var reason = deadLetter.ReasonText;
        var deaths = headers.TryGetValue("x-death", out var existing) && existing is System.Collections.IList list
            ? new List<object?>(list.Cast<object?>())
            : new List<object?>();
        var index = deaths.FindIndex(d => d is IReadOnlyDictionary<string, object?> death
            && FieldValues.TryGetString(death.GetValueOrDefault("queue"), out var q) && q == source.Name
            && FieldValues.TryGetString(death.GetValueOrDefault("reason"), out var r) && r == reason);
        Dictionary<string, object?> entry;
        if (index >= 0)
        {
            var previous = (IReadOnlyDictionary<string, object?>)deaths[index]!;
            FieldValues.TryGetInteger(previous.GetValueOrDefault("count"), out var count);
            entry = new Dictionary<string, object?> { ["count"] = count + 1 };
            foreach (var (key, value) in previous)
            {
                if (key != "count") entry[key] = value;
            }
            deaths.RemoveAt(index);
        }
        else
        {
            var routingKeys = new List<object?> { original.RoutingKey };
            if (headers.TryGetValue("CC", out var cc) && cc is System.Collections.IList ccKeys) routingKeys.AddRange(ccKeys.Cast<object?>());
            entry = new Dictionary<string, object?>
            {
                ["count"] = 1L,
                ["reason"] = reason,
                ["queue"] = source.Name,
                ["time"] = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
                ["exchange"] = original.Exchange,
                ["routing-keys"] = routingKeys,
            };
            if (properties.Expiration is { } expiration) entry["original-expiration"] = expiration;
        }
        deaths.Insert(0, entry);
        headers["x-death"] = deaths;
        if (!headers.ContainsKey("x-first-death-reason"))
        {
            headers["x-first-death-reason"] = reason;
            headers["x-first-death-queue"] = source.Name;
            headers["x-first-death-exchange"] = original.Exchange;
        }
        // A dead letter must not expire again by its old per-message TTL (whatever the reason).
        properties.Expiration = null;
        var routingKey = source.Arguments.DeadLetterRoutingKey ?? original.RoutingKey;
        return new Message(exchangeName, routingKey, properties, original.Body);
    }

    // RabbitMQ's cycle rule: the target queue already appears in x-death, and no death on the
    // way round (up to and including that one) was a rejection.
    private static bool IsCycle(string queue, Message message)
    {
        if (message.Properties.Headers?.GetValueOrDefault("x-death") is not System.Collections.IList deaths) return false;
        foreach (var item in deaths)
        {
            if (item is not IReadOnlyDictionary<string, object?> death) return false;
            if (FieldValues.TryGetString(death.GetValueOrDefault("reason"), out var reason) && reason == "rejected") return false;
            if (FieldValues.TryGetString(death.GetValueOrDefault("queue"), out var name) && name == queue) return true;
        }
        return false;
    }
}
