using Warren.Broker.Queues;

namespace Warren.Broker.Consumers;

/// <summary>
/// A subscription to a queue, implemented by a protocol (an AMQP channel's consumer, an
/// in-process subscriber). The queue pushes messages to it while it has capacity.
/// </summary>
public abstract class Consumer
{
    /// <summary>Creates a consumer.</summary>
    protected Consumer(string tag, bool noAck, bool exclusive, int priority = 0)
    {
        Tag = tag;
        NoAck = noAck;
        Exclusive = exclusive;
        Priority = priority;
    }

    /// <summary>Consumer priority (x-priority): higher priorities are served first while they have capacity.</summary>
    public int Priority { get; }

    /// <summary>The consumer tag, unique per channel.</summary>
    public string Tag { get; }

    /// <summary>Messages count as settled once sent (no acknowledgement expected).</summary>
    public bool NoAck { get; }

    /// <summary>The only consumer its queue may have.</summary>
    public bool Exclusive { get; }

    /// <summary>The channel it belongs to, for a consumer of a client connection (the management plane shows it).</summary>
    public virtual Clients.IClientChannel? ClientChannel => null;

    /// <summary>Its prefetch limit (0: none).</summary>
    public virtual int PrefetchCount => 0;

    /// <summary>The arguments it was created with.</summary>
    public virtual IReadOnlyDictionary<string, object?>? Arguments => null;

    /// <summary>The queue it consumes from, set when attached.</summary>
    public Queue Queue { get; internal set; } = null!;

    /// <summary>
    /// Hands one message over. Called by the queue under its lock, so it must not call back into
    /// the queue. Return false when the consumer can take nothing now (prefetch reached, output
    /// full); the consumer then calls <see cref="Queue.ResumeDispatch"/> when it can take more.
    /// </summary>
    protected internal abstract bool TryDeliver(in QueueEntry entry);

    /// <summary>
    /// True while the consumer refuses every delivery until it calls <see cref="Queue.ResumeDispatch"/>
    /// (its connection's output is full). A hint read without a lock: the queue then leaves
    /// paged-out messages on disk rather than read them back for a consumer that cannot take them.
    /// </summary>
    protected internal virtual bool IsStalled => false;

    /// <summary>
    /// <see cref="TryDeliver"/> threw: the queue has already detached this consumer and kept the
    /// message for the others. Called under the queue's lock on whichever thread dispatched (often
    /// another client's publish), so it must only hand the failure to the consumer's own owner and
    /// return (issue 10, defect 11: one bad consumer must not break a publisher elsewhere).
    /// </summary>
    protected internal virtual void OnDeliveryFailed(Exception error)
    {
    }

    /// <summary>The broker ended the subscription (its queue was deleted).</summary>
    protected internal abstract void OnCancelledByBroker();
}
