using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class PriorityTests(BrokerTarget target) : ParityTest(target)
{
    private static BasicProperties Priority(byte p) => new() { Priority = p };

    [Fact]
    public async Task A_priority_queue_delivers_higher_priorities_first_and_keeps_order_within_a_priority()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-priority", 10)));

        await PublishAsync(ch, "", q, "p1-a", Priority(1));
        await PublishAsync(ch, "", q, "none");
        await PublishAsync(ch, "", q, "p5-a", Priority(5));
        await PublishAsync(ch, "", q, "p1-b", Priority(1));
        await PublishAsync(ch, "", q, "p5-b", Priority(5));
        await PublishAsync(ch, "", q, "p0", Priority(0));

        // No priority property counts as priority 0.
        Assert.Equal(["p5-a", "p5-b", "p1-a", "p1-b", "none", "p0"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_priority_above_the_maximum_counts_as_the_maximum()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-priority", 3)));

        await PublishAsync(ch, "", q, "p3", Priority(3));
        await PublishAsync(ch, "", q, "p200", Priority(200));
        await PublishAsync(ch, "", q, "p2", Priority(2));

        Assert.Equal(["p3", "p200", "p2"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task The_priority_property_is_delivered_unchanged()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-priority", 3)));

        await PublishAsync(ch, "", q, "p200", Priority(200));

        Assert.Equal(200, (await ch.BasicGetAsync(q, true, Ct))!.BasicProperties.Priority);
    }

    [Fact]
    public async Task A_queue_without_max_priority_ignores_priorities()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "low", Priority(1));
        await PublishAsync(ch, "", q, "high", Priority(9));

        Assert.Equal(["low", "high"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_consumer_gets_the_waiting_messages_by_priority()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-priority", 5)));
        for (byte p = 0; p <= 5; p++)
            await PublishAsync(ch, "", q, $"p{p}", Priority(p));

        var consumer = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);

        Assert.Equal(["p5", "p4", "p3", "p2", "p1", "p0"], (await consumer.NextAsync(6)).Select(d => d.Text));
    }

    [Fact]
    public async Task Requeued_messages_keep_their_priority()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-priority", 5)));
        await PublishAsync(ch, "", q, "low", Priority(1));
        var low = await ch.BasicGetAsync(q, false, Ct);
        await PublishAsync(ch, "", q, "high", Priority(4));

        await ch.BasicNackAsync(low!.DeliveryTag, false, requeue: true, Ct);
        await WaitForMessageCountAsync(ch, q, 2);

        Assert.Equal(["high", "low"], await DrainAsync(ch, q));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class PriorityTests_on_Warren(WarrenFixture f) : PriorityTests(f.Target);

public sealed class PriorityTests_on_RabbitMq(RabbitMqFixture f) : PriorityTests(f.Target);
