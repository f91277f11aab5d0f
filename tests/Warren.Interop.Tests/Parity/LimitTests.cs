using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class LimitTests(BrokerTarget target) : ParityTest(target)
{
    [Fact]
    public async Task Max_length_drops_the_oldest_messages_by_default()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 2)));

        for (var i = 1; i <= 5; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(["m4", "m5"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Max_length_with_drop_head_drops_the_oldest_messages()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 2), ("x-overflow", "drop-head")));

        for (var i = 1; i <= 3; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Equal(["m2", "m3"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Max_length_zero_keeps_nothing()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 0)));

        await PublishAsync(ch, "", q, "m");

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Max_length_counts_ready_messages_only()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1)));
        await PublishAsync(ch, "", q, "unacked");
        var held = await ch.BasicGetAsync(q, false, Ct);

        await PublishAsync(ch, "", q, "ready");

        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await ch.BasicRejectAsync(held!.DeliveryTag, requeue: true, Ct);
        // The requeued message goes back to the head, over the limit: the head is dropped.
        await WaitForMessageCountAsync(ch, q, 1);
        Assert.Equal(["ready"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Max_length_bytes_counts_body_bytes_and_drops_the_oldest()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length-bytes", 10)));

        await PublishAsync(ch, "", q, "aaaaa");
        await PublishAsync(ch, "", q, "bbbbb");
        await PublishAsync(ch, "", q, "ccccc");

        Assert.Equal(["bbbbb", "ccccc"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_message_larger_than_max_length_bytes_is_dropped()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length-bytes", 4)));

        await PublishAsync(ch, "", q, "fits");
        await PublishAsync(ch, "", q, "too big");

        Assert.Equal([], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_refuses_the_newest_messages()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 2), ("x-overflow", "reject-publish")));

        for (var i = 1; i <= 4; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        await WaitForMessageCountAsync(ch, q, 2);
        Assert.Equal(["m1", "m2"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_with_max_length_bytes_nacks_the_refused_publish()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length-bytes", 6), ("x-overflow", "reject-publish")));

        await PublishAsync(ch, "", q, "abc");
        await PublishAsync(ch, "", q, "def");
        await PublishAsync(ch, "", q, "ghi");
        await log.WaitForAsync(3);

        Assert.Equal([(1ul, true), (2ul, true), (3ul, false)], log.Confirmed());
        Assert.Equal(["abc", "def"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_accepts_again_once_there_is_room()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1), ("x-overflow", "reject-publish")));
        await PublishAsync(ch, "", q, "m1");
        await PublishAsync(ch, "", q, "m2");
        await log.WaitForAsync(2);

        Assert.Equal(["m1"], await DrainAsync(ch, q));
        await PublishAsync(ch, "", q, "m3");
        await log.WaitForAsync(3);

        Assert.Equal([(1ul, true), (2ul, false), (3ul, true)], log.Confirmed());
        Assert.Equal(["m3"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Reject_publish_does_not_dead_letter_the_refused_message()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var deadLetters = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(deadLetters, dlx, "", cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1), ("x-overflow", "reject-publish"), ("x-dead-letter-exchange", dlx)));

        await PublishAsync(ch, "", q, "m1");
        await PublishAsync(ch, "", q, "m2");

        await WaitForMessageCountAsync(ch, q, 1);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(deadLetters, Ct)).MessageCount);
    }

    [Fact]
    public async Task Reject_publish_dlx_nacks_and_dead_letters_the_refused_message()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var deadLetters = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(deadLetters, dlx, "", cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1), ("x-overflow", "reject-publish-dlx"), ("x-dead-letter-exchange", dlx)));

        await PublishAsync(ch, "", q, "kept");
        await PublishAsync(ch, "", q, "refused");
        await log.WaitForAsync(2);

        Assert.Equal([(1ul, true), (2ul, false)], log.Confirmed());
        Assert.Equal(["kept"], await DrainAsync(ch, q));
        BasicGetResult? dead = null;
        await EventuallyAsync(async () => (dead = await ch.BasicGetAsync(deadLetters, true, Ct)) is not null, "the dead-lettered message");
        Assert.Equal("refused", Text(dead!.Body));
        var death = Assert.Single(XDeath(dead.BasicProperties));
        Assert.Equal(("maxlen", q, 1L), (Str(death["reason"]), Str(death["queue"]), (long)death["count"]!));
    }

    [Fact]
    public async Task An_invalid_overflow_value_is_refused_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");

        var ex = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(
            () => DeclareQueueAsync(ch, q, arguments: Args(("x-overflow", "drop-tail"))));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - invalid arg 'x-overflow' for queue '{q}' in vhost '/': invalid_overflow", 50, 10);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class LimitTests_on_Warren(WarrenFixture f) : LimitTests(f.Target);

public sealed class LimitTests_on_RabbitMq(RabbitMqFixture f) : LimitTests(f.Target);
