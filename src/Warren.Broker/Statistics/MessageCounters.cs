namespace Warren.Broker.Statistics;

/// <summary>
/// Message counts of one object (queue, exchange, channel, virtual host), as RabbitMQ's
/// <c>message_stats</c> name them. The hot path only increments fields: each field has one writer
/// at a time (the connection's read loop, or code already under the owner's lock), so plain
/// increments suffice and a reader sees a value at most one sample old. Rates are not computed
/// here but by a sampler (<see cref="MessageRates"/>) every few seconds.
/// </summary>
public sealed class MessageCounters
{
    /// <summary>Messages published (channel, virtual host) or enqueued (queue).</summary>
    public long Publish;
    /// <summary>Messages published into an exchange.</summary>
    public long PublishIn;
    /// <summary>Messages an exchange routed to at least one queue.</summary>
    public long PublishOut;
    /// <summary>Publisher confirms sent.</summary>
    public long Confirm;
    /// <summary>Deliveries to consumers that acknowledge.</summary>
    public long Deliver;
    /// <summary>Deliveries to consumers that do not acknowledge.</summary>
    public long DeliverNoAck;
    /// <summary>basic.get answered with a message, acknowledgement required.</summary>
    public long Get;
    /// <summary>basic.get answered with a message, no acknowledgement.</summary>
    public long GetNoAck;
    /// <summary>basic.get answered with get-empty.</summary>
    public long GetEmpty;
    /// <summary>Acknowledgements.</summary>
    public long Ack;
    /// <summary>Deliveries or gets of a message delivered before.</summary>
    public long Redeliver;
    /// <summary>Mandatory messages returned as unroutable.</summary>
    public long ReturnUnroutable;
    /// <summary>Unroutable messages dropped (not mandatory).</summary>
    public long DropUnroutable;

    /// <summary>Reads every field once.</summary>
    public MessageStats Read() => new(
        Volatile.Read(ref Publish), Volatile.Read(ref PublishIn), Volatile.Read(ref PublishOut), Volatile.Read(ref Confirm),
        Volatile.Read(ref Deliver), Volatile.Read(ref DeliverNoAck), Volatile.Read(ref Get), Volatile.Read(ref GetNoAck),
        Volatile.Read(ref GetEmpty), Volatile.Read(ref Ack), Volatile.Read(ref Redeliver), Volatile.Read(ref ReturnUnroutable),
        Volatile.Read(ref DropUnroutable));

    /// <summary>Adds a closed object's totals (a channel's, into its virtual host); may race other adders, so atomic.</summary>
    public void AddAtomically(in MessageStats stats)
    {
        Interlocked.Add(ref Publish, stats.Publish);
        Interlocked.Add(ref PublishIn, stats.PublishIn);
        Interlocked.Add(ref PublishOut, stats.PublishOut);
        Interlocked.Add(ref Confirm, stats.Confirm);
        Interlocked.Add(ref Deliver, stats.Deliver);
        Interlocked.Add(ref DeliverNoAck, stats.DeliverNoAck);
        Interlocked.Add(ref Get, stats.Get);
        Interlocked.Add(ref GetNoAck, stats.GetNoAck);
        Interlocked.Add(ref GetEmpty, stats.GetEmpty);
        Interlocked.Add(ref Ack, stats.Ack);
        Interlocked.Add(ref Redeliver, stats.Redeliver);
        Interlocked.Add(ref ReturnUnroutable, stats.ReturnUnroutable);
        Interlocked.Add(ref DropUnroutable, stats.DropUnroutable);
    }

    /// <summary>Rates per second, written by the sampler only; null until sampled twice.</summary>
    public MessageRates? Rates { get; set; }
}

/// <summary>A copy of <see cref="MessageCounters"/> at one moment, or a sum of several.</summary>
#pragma warning disable CS1591 // the members mirror MessageCounters
public readonly record struct MessageStats(
    long Publish, long PublishIn, long PublishOut, long Confirm, long Deliver, long DeliverNoAck, long Get, long GetNoAck,
    long GetEmpty, long Ack, long Redeliver, long ReturnUnroutable, long DropUnroutable)
{
    /// <summary>Deliveries and gets of every kind (RabbitMQ's deliver_get).</summary>
    public long DeliverGet => Deliver + DeliverNoAck + Get + GetNoAck;

    public static MessageStats operator +(in MessageStats a, in MessageStats b) => new(
        a.Publish + b.Publish, a.PublishIn + b.PublishIn, a.PublishOut + b.PublishOut, a.Confirm + b.Confirm,
        a.Deliver + b.Deliver, a.DeliverNoAck + b.DeliverNoAck, a.Get + b.Get, a.GetNoAck + b.GetNoAck,
        a.GetEmpty + b.GetEmpty, a.Ack + b.Ack, a.Redeliver + b.Redeliver, a.ReturnUnroutable + b.ReturnUnroutable,
        a.DropUnroutable + b.DropUnroutable);

    public static MessageStats operator -(in MessageStats a, in MessageStats b) => new(
        a.Publish - b.Publish, a.PublishIn - b.PublishIn, a.PublishOut - b.PublishOut, a.Confirm - b.Confirm,
        a.Deliver - b.Deliver, a.DeliverNoAck - b.DeliverNoAck, a.Get - b.Get, a.GetNoAck - b.GetNoAck,
        a.GetEmpty - b.GetEmpty, a.Ack - b.Ack, a.Redeliver - b.Redeliver, a.ReturnUnroutable - b.ReturnUnroutable,
        a.DropUnroutable - b.DropUnroutable);
}
#pragma warning restore CS1591

/// <summary>Per-second rates between the last two samples of a counter set.</summary>
/// <param name="Last">The counts at the last sample.</param>
/// <param name="Delta">The change since the sample before.</param>
/// <param name="Seconds">The time between the two samples.</param>
public sealed record MessageRates(MessageStats Last, MessageStats Delta, double Seconds)
{
    /// <summary>The rate of one field, from its change.</summary>
    public double Of(long delta) => Seconds <= 0 ? 0 : Math.Round(delta / Seconds, 1);

    /// <summary>Next sample: the rates from <see cref="Last"/> to <paramref name="now"/>.</summary>
    public static MessageRates Next(MessageRates? previous, in MessageStats now, double seconds) =>
        previous is null ? new MessageRates(now, default, 0) : new MessageRates(now, now - previous.Last, seconds);
}
