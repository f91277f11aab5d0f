using Warren.Broker.Consumers;
using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

/// <summary>A basic.consume subscription of one channel.</summary>
internal sealed class AmqpConsumer : Consumer
{
    public AmqpConsumer(AmqpChannel channel, string tag, bool noAck, bool exclusive, ushort prefetchLimit, int priority,
        IReadOnlyDictionary<string, object?>? arguments)
        : base(tag, noAck, exclusive, priority)
    {
        Channel = channel;
        PrefetchLimit = prefetchLimit;
        Arguments = arguments;
    }

    public AmqpChannel Channel { get; }

    public override Broker.Clients.IClientChannel? ClientChannel => Channel;

    public override int PrefetchCount => PrefetchLimit;

    public override IReadOnlyDictionary<string, object?>? Arguments { get; }

    /// <summary>Per-consumer prefetch (basic.qos global=false); 0 is unlimited.</summary>
    public ushort PrefetchLimit { get; }

    /// <summary>Deliveries awaiting acknowledgement; guarded by the channel's delivery lock.</summary>
    public int Unacked { get; set; }

    /// <summary>Refused a delivery and waits for capacity; guarded by the channel's delivery lock.</summary>
    public bool Blocked { get; set; }

    private volatile bool _blockedOnOutput;

    /// <summary>Refused a delivery because its connection's output is congested; resumed when it drains.</summary>
    public bool BlockedOnOutput
    {
        get => _blockedOnOutput;
        set => _blockedOnOutput = value;
    }

    protected override bool IsStalled => _blockedOnOutput;

    protected override bool TryDeliver(in QueueEntry entry) => Channel.TryDeliver(this, entry);

    protected override void OnDeliveryFailed(Exception error) => Channel.OnDeliveryFailed(this, error);

    protected override void OnCancelledByBroker() => Channel.OnConsumerCancelledByBroker(this);
}
