using Warren.Broker.Messages;

namespace Warren.Broker.Queues;

/// <summary>A message's place in one queue: the shared message plus what is this queue's own.</summary>
/// <param name="Message">The shared message.</param>
/// <param name="Sequence">Position in the queue; a requeued message goes back to its place by it.</param>
/// <param name="Redelivered">True once it has been delivered and then requeued.</param>
public readonly record struct QueueEntry(Message Message, long Sequence, bool Redelivered)
{
    /// <summary>
    /// Where a paged-out message lies on disk (segment id in the high 32 bits, offset in the low);
    /// such an entry has no <see cref="Message"/> until the queue pages it back in.
    /// </summary>
    internal long Location { get; init; }

    /// <summary>When the message expires (Environment.TickCount64 milliseconds); 0 never.</summary>
    internal long ExpiresAt { get; init; }

    /// <summary>Body size in bytes, known even when paged out (for x-max-length-bytes).</summary>
    internal int Size { get; init; }

    /// <summary>Times delivered and requeued (for x-delivery-limit).</summary>
    internal int DeliveryCount { get; init; }

    internal bool IsPagedOut => Message is null;
}
