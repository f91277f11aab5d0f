using Warren.Broker.Exchanges;
using Warren.Broker.Queues;

namespace Warren.Broker.Routing;

/// <summary>
/// The working state of one publish's routing: the queues reached (each once), the set that keeps
/// them unique past a handful, and the exchange work list. One instance serves one publish and is
/// reset as a whole in the publish's single <c>finally</c>, so no exit path can leave part of it
/// filled for the next publish on the same thread (issue 10, defect 1: a seen-set left filled by
/// the default-exchange branch made later publishes skip or duplicate queues).
/// </summary>
internal sealed class RoutingScratch
{
    // A linear check is cheapest for the usual handful of queues; past that a set keeps it linear overall.
    private const int LinearLimit = 8;

    // One spare instance per thread: routing allocates nothing per message. A nested publish
    // (a dead letter enqueued while publishing) finds the slot empty and makes its own.
    [ThreadStatic] private static RoutingScratch? t_spare;

    private readonly HashSet<Queue> _seen = new();

    /// <summary>The queues reached so far, in the order reached, each once.</summary>
    public List<Queue> Queues { get; } = new();

    /// <summary>What one exchange's bindings matched; emptied after each exchange.</summary>
    public List<Destination> Destinations { get; } = new();

    /// <summary>Exchanges reached (also the work list of exchange-to-exchange routing); emptied after each route.</summary>
    public List<Exchange> Visited { get; } = new();

    /// <summary>Takes this thread's spare instance, or a new one when it is in use.</summary>
    public static RoutingScratch Rent()
    {
        var scratch = t_spare ?? new RoutingScratch();
        t_spare = null;
        return scratch;
    }

    /// <summary>Empties every part and keeps the instance as this thread's spare.</summary>
    public static void Return(RoutingScratch scratch)
    {
        scratch.Clear();
        t_spare = scratch;
    }

    /// <summary>Empties every part, for the next message.</summary>
    public void Clear()
    {
        Queues.Clear();
        _seen.Clear();
        Destinations.Clear();
        Visited.Clear();
    }

    /// <summary>Adds a queue unless it was reached already.</summary>
    public void AddOnce(Queue queue)
    {
        if (Queues.Count < LinearLimit)
        {
            if (!Queues.Contains(queue)) Queues.Add(queue);
            return;
        }
        // The set holds exactly the list's queues once the list passes the limit.
        if (_seen.Count == 0) _seen.UnionWith(Queues);
        if (_seen.Add(queue)) Queues.Add(queue);
    }
}
