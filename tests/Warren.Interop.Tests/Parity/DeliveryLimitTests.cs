using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class DeliveryLimitTests(BrokerTarget target) : ParityTest(target)
{
    [Fact]
    public async Task A_classic_queue_refuses_x_delivery_limit()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(
            () => DeclareQueueAsync(ch, q, arguments: Args(("x-delivery-limit", 1))));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue '{q}' in vhost '/' of queue type rabbit_classic_queue", 50, 10);
    }

    [Fact]
    public async Task A_quorum_queue_counts_deliveries_and_dead_letters_past_the_delivery_limit()
    {
        var ch = await OpenChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var deadLetters = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(deadLetters, dlx, "", cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch, durable: true, arguments: Args(
            ("x-queue-type", "quorum"), ("x-delivery-limit", 2), ("x-dead-letter-exchange", dlx)));
        await PublishAsync(ch, "", q, "poison");

        var counts = new List<object?>();
        for (var i = 0; i < 3; i++)
        {
            BasicGetResult? got = null;
            await EventuallyAsync(async () => (got = await ch.BasicGetAsync(q, false, Ct)) is not null, "the message back");
            counts.Add(Headers(got!.BasicProperties).TryGetValue("x-delivery-count", out var c) ? c : null);
            Assert.Equal(i > 0, got.Redelivered);
            await ch.BasicNackAsync(got.DeliveryTag, false, requeue: true, Ct);
        }

        // x-delivery-count (a long) on every delivery: 0, 1, 2; the third requeue goes past the limit of 2: dead-lettered.
        Assert.Equal([0L, 1L, 2L], counts);
        BasicGetResult? dead = null;
        await EventuallyAsync(async () => (dead = await ch.BasicGetAsync(deadLetters, true, Ct)) is not null, "the dead-lettered message");
        var death = Assert.Single(XDeath(dead!.BasicProperties));
        Assert.Equal(("delivery_limit", q, 1L), (Str(death["reason"]), Str(death["queue"]), (long)death["count"]!));
        Assert.Null(await ch.BasicGetAsync(q, false, Ct));
    }

    [Fact]
    public async Task A_quorum_queue_without_a_dead_letter_exchange_drops_the_message_past_the_limit()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, durable: true, arguments: Args(("x-queue-type", "quorum"), ("x-delivery-limit", 0)));
        await PublishAsync(ch, "", q, "poison");

        var got = await ch.BasicGetAsync(q, false, Ct);
        await ch.BasicNackAsync(got!.DeliveryTag, false, requeue: true, Ct);

        await WaitForMessageCountAsync(ch, q, 0);
        Assert.Null(await ch.BasicGetAsync(q, false, Ct));
    }

    [Fact]
    public async Task A_reject_with_requeue_counts_as_a_delivery_too()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, durable: true, arguments: Args(("x-queue-type", "quorum"), ("x-delivery-limit", 5)));
        await PublishAsync(ch, "", q, "m");
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: true, Ct);

        BasicGetResult? again = null;
        await EventuallyAsync(async () => (again = await ch.BasicGetAsync(q, true, Ct)) is not null, "the message back");
        Assert.Equal(1L, Headers(again!.BasicProperties)["x-delivery-count"]);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class DeliveryLimitTests_on_Warren(WarrenFixture f) : DeliveryLimitTests(f.Target);

public sealed class DeliveryLimitTests_on_RabbitMq(RabbitMqFixture f) : DeliveryLimitTests(f.Target);
