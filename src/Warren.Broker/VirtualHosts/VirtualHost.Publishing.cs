using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.Routing;

namespace Warren.Broker.VirtualHosts;

/// <summary>What became of a published message.</summary>
/// <param name="QueueCount">The number of queues it was enqueued on (0: unroutable).</param>
/// <param name="DurabilityTicket">The storage ticket to wait for before confirming it (0: nothing to wait for).</param>
/// <param name="Rejected">A full queue refused it (x-overflow reject-publish): confirm with a nack.</param>
/// <param name="CongestedQueue">A queue whose consumers fall behind; the publisher should await its <see cref="Queue.WhenDrainedAsync"/>.</param>
public readonly record struct PublishResult(int QueueCount, long DurabilityTicket, bool Rejected = false, Queue? CongestedQueue = null);

public sealed partial class VirtualHost
{
    /// <summary>
    /// Routes a message from <paramref name="exchangeName"/> and enqueues it on every matching
    /// queue (once per queue, however many bindings or CC/BCC keys match). Unroutable messages go
    /// to the exchange's alternate exchange when it has one.
    /// </summary>
    public PublishResult Publish(string exchangeName, Message message)
    {
        var exchange = GetExchange(exchangeName);
        if (exchange.Settings.Internal)
        {
            throw new BrokerException(BrokerError.AccessRefused, $"cannot publish to internal exchange '{exchangeName}' in vhost '{Name}'");
        }
        var scratch = RoutingScratch.Rent();
        try
        {
            RouteWithExtraKeys(exchange, message, scratch);
            if (message.Properties.Headers is { } headers && headers.ContainsKey("BCC")) message = WithoutBcc(message);
            // The only shared counters on the publish path: one exchange takes publishes from every connection.
            Interlocked.Increment(ref exchange.Stats.PublishIn);
            if (scratch.Queues.Count > 0) Interlocked.Increment(ref exchange.Stats.PublishOut);
            return EnqueueAll(scratch.Queues, message);
        }
        finally
        {
            RoutingScratch.Return(scratch);
        }
    }

    private static PublishResult EnqueueAll(List<Queue> queues, Message message)
    {
        long ticket = 0;
        var rejected = false;
        var accepted = 0;
        Queue? congested = null;
        // Several durable queues store the same record: serialise it once, and drop it after.
        if (message.Properties.IsPersistent && CountPersistent(queues) > 1) message.StoredForm = Storage.MessageSerializer.Serialize(message);
        try
        {
            foreach (var queue in queues)
            {
                var result = queue.Enqueue(message);
                ticket = Math.Max(ticket, result.Ticket);
                if (result.Rejected) rejected = true;
                else accepted++;
                if (result.Congested) congested = queue;
            }
        }
        finally
        {
            message.StoredForm = null;
        }
        return new PublishResult(accepted, ticket, rejected, congested);
    }

    private static int CountPersistent(List<Queue> queues)
    {
        var count = 0;
        foreach (var queue in queues)
        {
            if (queue.IsPersistent) count++;
        }
        return count;
    }

    // Sender-selected distribution: the CC and BCC headers name extra routing keys.
    private void RouteWithExtraKeys(Exchange exchange, Message message, RoutingScratch scratch)
    {
        RouteWithAlternate(exchange, message, message.RoutingKey, scratch);
        if (message.Properties.Headers is not { } headers) return;
        foreach (var header in (ReadOnlySpan<string>)["CC", "BCC"])
        {
            if (!headers.TryGetValue(header, out var keys) || keys is byte[] || keys is not System.Collections.IList list) continue;
            foreach (var key in list)
            {
                if (FieldValues.TryGetString(key, out var routingKey)) RouteWithAlternate(exchange, message, routingKey, scratch);
            }
        }
    }

    private static Message WithoutBcc(Message message)
    {
        var properties = message.Properties.Clone();
        properties.Headers!.Remove("BCC");
        return new Message(message.Exchange, message.RoutingKey, properties, message.Body);
    }

    // An exchange that routes nowhere hands the message to its alternate exchange (and so on, without loops).
    private void RouteWithAlternate(Exchange exchange, Message message, string routingKey, RoutingScratch scratch)
    {
        var before = scratch.Queues.Count;
        Route(exchange, message, routingKey, scratch);
        var tried = 0;
        while (scratch.Queues.Count == before && tried++ < 16
            && exchange.AlternateExchange is { } name
            && _exchanges.TryGetValue(name, out var alternate)
            && !ReferenceEquals(alternate, exchange))
        {
            exchange = alternate;
            Route(exchange, message, routingKey, scratch);
        }
    }

    /// <summary>Collects the queues a message reaches from <paramref name="exchange"/>, following exchange-to-exchange bindings without loops.</summary>
    private void Route(Exchange exchange, Message message, string routingKey, RoutingScratch scratch)
    {
        if (ReferenceEquals(exchange, DefaultExchange))
        {
            if (_queues.TryGetValue(routingKey, out var named)) scratch.AddOnce(named);
            return;
        }
        var destinations = scratch.Destinations;
        var visited = scratch.Visited;
        visited.Add(exchange);
        // visited doubles as the work list: exchanges are routed in the order they are reached.
        for (var next = 0; next < visited.Count; next++)
        {
            var current = visited[next];
            lock (current.Sync) current.Route(message, routingKey, destinations);
            foreach (var destination in destinations)
            {
                if (destination is Queue queue) scratch.AddOnce(queue);
                else if (destination is Exchange bound && !visited.Contains(bound)) visited.Add(bound);
            }
            destinations.Clear();
        }
        // Each CC/BCC key and alternate exchange is a route of its own: exchanges reached by one may be reached again by the next.
        visited.Clear();
    }
}
