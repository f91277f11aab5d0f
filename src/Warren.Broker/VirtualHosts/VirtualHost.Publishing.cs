using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.Routing;

namespace Warren.Broker.VirtualHosts;

/// <summary>What became of a published message.</summary>
/// <param name="QueueCount">The number of queues it was enqueued on (0: unroutable).</param>
/// <param name="DurabilityTicket">The storage ticket to wait for before confirming it (0: nothing to wait for).</param>
public readonly record struct PublishResult(int QueueCount, long DurabilityTicket);

public sealed partial class VirtualHost
{
    // Scratch lists reused per thread: routing allocates nothing per message.
    [ThreadStatic] private static List<Destination>? t_destinations;
    [ThreadStatic] private static List<Queue>? t_queues;
    [ThreadStatic] private static List<Exchange>? t_visited;
    [ThreadStatic] private static HashSet<Queue>? t_seen;

    /// <summary>
    /// Routes a message from <paramref name="exchangeName"/> and enqueues it on every matching
    /// queue (once per queue, however many bindings match).
    /// </summary>
    public PublishResult Publish(string exchangeName, Message message)
    {
        var exchange = GetExchange(exchangeName);
        if (exchange.Settings.Internal)
        {
            throw new BrokerException(BrokerError.AccessRefused, $"cannot publish to internal exchange '{exchangeName}' in vhost '{Name}'");
        }
        var queues = t_queues ??= new List<Queue>();
        try
        {
            Route(exchange, message, queues);
            long ticket = 0;
            foreach (var queue in queues) ticket = Math.Max(ticket, queue.Enqueue(message));
            return new PublishResult(queues.Count, ticket);
        }
        finally
        {
            queues.Clear();
        }
    }

    /// <summary>Collects the queues a message reaches from <paramref name="exchange"/>, following exchange-to-exchange bindings without loops.</summary>
    internal void Route(Exchange exchange, Message message, List<Queue> queues)
    {
        if (ReferenceEquals(exchange, DefaultExchange))
        {
            if (_queues.TryGetValue(message.RoutingKey, out var named)) queues.Add(named);
            return;
        }
        var destinations = t_destinations ??= new List<Destination>();
        var visited = t_visited ??= new List<Exchange>();
        try
        {
            visited.Add(exchange);
            // visited doubles as the work list: exchanges are routed in the order they are reached.
            for (var next = 0; next < visited.Count; next++)
            {
                var current = visited[next];
                lock (current.Sync) current.Route(message, destinations);
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
