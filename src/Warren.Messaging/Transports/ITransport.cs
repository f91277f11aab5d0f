using Warren.Messaging.Topology;

namespace Warren.Messaging.Transports;

/// <summary>
/// What the messaging library needs from a broker connection: declare topology, publish with
/// mandatory routing, consume with acknowledgement after the handler, and browse a queue.
/// Implementations: <see cref="InProcess.InProcessTransport"/> (an embedded Warren broker) and
/// <see cref="Amqp.AmqpTransport"/> (RabbitMQ.Client to any AMQP 0-9-1 broker).
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>A short name for logs and health checks ("in-process", "amqp").</summary>
    string Name { get; }

    /// <summary>True while the transport can publish and consume.</summary>
    bool IsConnected { get; }

    /// <summary>Connects.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Declares exchanges, queues and bindings, idempotently.</summary>
    Task DeclareAsync(TopologyPlan plan, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a message. With <paramref name="mandatory"/>, a message that reaches no queue
    /// fails with <see cref="MessageUnroutableException"/>. Completes when the broker has taken
    /// responsibility for it (publisher confirm, where the transport has them).
    /// </summary>
    Task PublishAsync(string exchange, string routingKey, bool mandatory, TransportMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes a queue. Each message is passed to <paramref name="handler"/> and acknowledged
    /// when it returns; an exception requeues it. Disposing the result stops consuming after
    /// in-flight messages finish.
    /// </summary>
    Task<IAsyncDisposable> ConsumeAsync(string queue, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a cursor that takes messages from the head of <paramref name="queue"/> one by one
    /// without acknowledging them; disposing it gives back every message taken and not
    /// acknowledged, at its original position (where the broker requeues at the tail, as
    /// RabbitMQ's quorum queues do, the cursor takes the whole queue round once to keep its
    /// order). Fails with <see cref="QueueNotFoundException"/>
    /// when the queue does not exist.
    /// </summary>
    Task<IQueueCursor> BrowseAsync(string queue, CancellationToken cancellationToken);

    /// <summary>
    /// Returns up to <paramref name="max"/> messages from the head of <paramref name="queue"/>,
    /// oldest first, and leaves the queue as it was: they are taken unacknowledged and given back
    /// at their original positions (see <see cref="BrowseAsync"/>), marked redelivered.
    /// </summary>
    async Task<IReadOnlyList<IncomingMessage>> PeekAsync(string queue, int max, CancellationToken cancellationToken)
    {
        var taken = new List<IncomingMessage>();
        var cursor = await BrowseAsync(queue, cancellationToken).ConfigureAwait(false);
        await using (cursor.ConfigureAwait(false))
        {
            while (taken.Count < max && await cursor.TakeAsync(cancellationToken).ConfigureAwait(false) is { } message) taken.Add(message);
        }
        return taken;
    }

    /// <summary>
    /// Delivers <paramref name="message"/> to <paramref name="queue"/> again after
    /// <paramref name="delay"/>. Over AMQP this needs broker TTL and dead-lettering.
    /// </summary>
    Task DeferAsync(string queue, TimeSpan delay, TransportMessage message, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="DeferAsync"/> works on this transport's broker.</summary>
    bool SupportsDelayedDelivery { get; }

    /// <summary>
    /// False while a consumer started by <see cref="ConsumeAsync"/> is not receiving: after a
    /// connection loss until recovery consumes again, or while it waits for its deleted queue.
    /// </summary>
    bool ConsumersAttached => true;

    /// <summary>
    /// Raised when the connection to the broker is lost (the transport then recovers by itself).
    /// Messages published to this connection's exclusive queues meanwhile are lost with them:
    /// the bus fails requests waiting for replies at once.
    /// </summary>
    event Action<ConnectionLostException>? ConnectionLost
    {
        add { }
        remove { }
    }
}

/// <summary>How a queue is consumed.</summary>
/// <param name="Prefetch">Unacknowledged messages the broker may push at once.</param>
/// <param name="Concurrency">Messages handled at the same time.</param>
/// <param name="Exclusive">The only consumer of the queue.</param>
public sealed record ConsumerSettings(ushort Prefetch, int Concurrency, bool Exclusive = false);

/// <summary>
/// Messages taken from the head of a queue and held unacknowledged (other consumers do not see
/// them meanwhile). Not thread-safe: one caller at a time. If the process dies, the broker gives
/// the held messages back by itself when the connection closes.
/// </summary>
public interface IQueueCursor : IAsyncDisposable
{
    /// <summary>Takes the next message, or null when the queue has no more.</summary>
    Task<IncomingMessage?> TakeAsync(CancellationToken cancellationToken);

    /// <summary>Removes a message taken by this cursor from the queue for good.</summary>
    Task AcknowledgeAsync(IncomingMessage message, CancellationToken cancellationToken);
}
