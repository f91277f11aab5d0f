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
    // Scratch lists reused per thread: routing allocates nothing per message.
    [ThreadStatic] private static List<Destination>? t_destinations;
    [ThreadStatic] private static List<Queue>? t_queues;
    [ThreadStatic] private static List<Exchange>? t_visited;
    [ThreadStatic] private static HashSet<Queue>? t_seen;

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
        // Nested publishes (dead letters enqueued while publishing) need lists of their own.
        var queues = t_queues ?? new List<Queue>();
        t_queues = null;
        try
        {
            RouteWithExtraKeys(exchange, message, queues);
            if (message.Properties.Headers is { } headers && headers.ContainsKey("BCC")) message = WithoutBcc(message);
            return EnqueueAll(queues, message);
        }
        finally
        {
            queues.Clear();
            t_queues = queues;
        }
    }

    private static PublishResult EnqueueAll(List<Queue> queues, Message message)
    {
        long ticket = 0;
        var rejected = false;
        var accepted = 0;
        Queue? congested = null;
        foreach (var queue in queues)
        {
            var result = queue.Enqueue(message);
            ticket = Math.Max(ticket, result.Ticket);
            if (result.Rejected) rejected = true;
            else accepted++;
            if (result.Congested) congested = queue;
        }
        return new PublishResult(accepted, ticket, rejected, congested);
    }

    // Sender-selected distribution: the CC and BCC headers name extra routing keys.
    private void RouteWithExtraKeys(Exchange exchange, Message message, List<Queue> queues)
    {
        RouteWithAlternate(exchange, message, message.RoutingKey, queues);
        if (message.Properties.Headers is not { } headers) return;
        foreach (var header in (ReadOnlySpan<string>)["CC", "BCC"])
        {
            if (!headers.TryGetValue(header, out var keys) || keys is byte[] || keys is not System.Collections.IList list) continue;
            foreach (var key in list)
            {
                if (ArgumentTables.TryGetString(key, out var routingKey)) RouteWithAlternate(exchange, message, routingKey, queues);
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
    private void RouteWithAlternate(Exchange exchange, Message message, string routingKey, List<Queue> queues)
    {
        var before = queues.Count;
        Route(exchange, message, routingKey, queues);
        var tried = 0;
        while (queues.Count == before && tried++ < 16
            && exchange.AlternateExchange is { } name
            && _exchanges.TryGetValue(name, out var alternate)
            && !ReferenceEquals(alternate, exchange))
        {
            exchange = alternate;
            Route(exchange, message, routingKey, queues);
        }
    }

    /// <summary>Collects the queues a message reaches from <paramref name="exchange"/>, following exchange-to-exchange bindings without loops.</summary>
    internal void Route(Exchange exchange, Message message, string routingKey, List<Queue> queues)
    {
        if (ReferenceEquals(exchange, DefaultExchange))
        {
            if (_queues.TryGetValue(routingKey, out var named)) AddOnce(queues, named);
            return;
        }
        var destinations = t_destinations ?? new List<Destination>();
        var visited = t_visited ?? new List<Exchange>();
        t_destinations = null;
        t_visited = null;
        try
        {
            visited.Add(exchange);
            // visited doubles as the work list: exchanges are routed in the order they are reached.
            for (var next = 0; next < visited.Count; next++)
            {
                var current = visited[next];
                lock (current.Sync) current.Route(message, routingKey, destinations);
                foreach (var destination in destinations)
                {
                    if (destination is Queue queue) AddOnce(queues, queue);
                    else if (destination is Exchange bound && !visited.Contains(bound)) visited.Add(bound);
                }
                destinations.Clear();
            }
        }
        finally
        {
            visited.Clear();
            destinations.Clear();
            t_seen?.Clear();
            t_visited = visited;
            t_destinations = destinations;
        }
    }

    // A linear check is cheapest for the usual handful of queues; past that a set keeps it linear overall.
    private static void AddOnce(List<Queue> queues, Queue queue)
    {
        const int LinearLimit = 8;
        if (queues.Count < LinearLimit)
        {
            if (!queues.Contains(queue)) queues.Add(queue);
            return;
        }
        var seen = t_seen ??= new HashSet<Queue>();
        if (seen.Count == 0) seen.UnionWith(queues);
        if (seen.Add(queue)) queues.Add(queue);
    }
}
