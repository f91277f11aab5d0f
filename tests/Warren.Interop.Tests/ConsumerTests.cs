using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class ConsumerTests(BrokerTarget target) : InteropTest(target)
{
    [Fact]
    public async Task A_consumer_without_a_tag_gets_a_server_generated_amq_ctag()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var consumer = await ConsumeAsync(ch, q, autoAck: true);
        await PublishAsync(ch, "", q, "m");

        Assert.StartsWith("amq.ctag-", consumer.Tag);
        Assert.Equal(consumer.Tag, (await consumer.NextAsync()).ConsumerTag);
    }

    [Fact]
    public async Task A_consumer_keeps_the_tag_it_asked_for()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var consumer = await ConsumeAsync(ch, q, autoAck: true, consumerTag: "my-tag");

        Assert.Equal("my-tag", consumer.Tag);
    }

    [Fact]
    public async Task Reusing_a_consumer_tag_on_the_channel_is_a_connection_error()
    {
        var c = await ConnectionAsync();
        var ch = await c.CreateChannelAsync(cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch);
        await ConsumeAsync(ch, q, consumerTag: "twice");

        var reason = await ExpectConnectionCloseAsync(c, ch, () => ConsumeAsync(ch, q, consumerTag: "twice"));

        // Surprising: a hard error (530 NOT_ALLOWED), not a channel error.
        AssertClose(reason, 530, "NOT_ALLOWED - attempt to reuse consumer tag 'twice'", 60, 20);
    }

    [Fact]
    public async Task An_exclusive_consumer_refuses_a_second_consumer()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ConsumeAsync(ch, q, exclusive: true);
        var other = await OpenChannelAsync();

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(other, q));

        AssertClose(ex.ShutdownReason!, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
    }

    [Fact]
    public async Task An_exclusive_consumer_is_refused_when_the_queue_has_consumers()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ConsumeAsync(ch, q);
        var other = await OpenChannelAsync();

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(other, q, exclusive: true));

        AssertClose(ex.ShutdownReason!, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
    }

    [Fact]
    public async Task Consuming_from_a_missing_queue_fails_with_not_found()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(ch, q));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 60, 20);
    }

    [Fact]
    public async Task A_cancelled_consumer_receives_nothing_more()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = await ConsumeAsync(ch, q, autoAck: true);
        await PublishAsync(ch, "", q, "before");
        Assert.Equal("before", (await consumer.NextAsync()).Text);

        await ch.BasicCancelAsync(consumer.Tag, cancellationToken: Ct);
        await PublishAsync(ch, "", q, "after");

        var passive = await ch.QueueDeclarePassiveAsync(q, Ct);
        Assert.Equal((1u, 0u), (passive.MessageCount, passive.ConsumerCount));
        Assert.Equal(0, consumer.Buffered);
    }

    [Fact]
    public async Task A_no_ack_consumer_leaves_nothing_unacked()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = await ConsumeAsync(ch, q, autoAck: true);
        for (var i = 0; i < 3; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        await consumer.NextAsync(3);
        await ch.BasicCancelAsync(consumer.Tag, cancellationToken: Ct);
        await ch.CloseAsync(Ct);

        // Closing the channel requeues unacked messages: none with no-ack.
        var other = await OpenChannelAsync();
        Assert.Equal(0u, (await other.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Closing_a_channel_requeues_its_unacked_messages_as_redelivered()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = await ConsumeAsync(ch, q);
        await PublishAsync(ch, "", q, "m");
        Assert.False((await consumer.NextAsync()).Redelivered);

        await ch.CloseAsync(Ct);

        var other = await OpenChannelAsync();
        var got = await other.BasicGetAsync(q, true, Ct);
        Assert.True(got!.Redelivered);
        Assert.Equal("m", Text(got.Body));
    }

    [Fact]
    public async Task Two_consumers_on_one_queue_receive_in_turn()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var first = await ConsumeAsync(ch, q, autoAck: true, consumerTag: "first");
        var second = await ConsumeAsync(ch, q, autoAck: true, consumerTag: "second");

        for (var i = 0; i < 6; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        var a = (await first.NextAsync(3)).Select(d => d.Text);
        var b = (await second.NextAsync(3)).Select(d => d.Text);
        // Round robin starting from the first registered consumer.
        Assert.Equal(["m0", "m2", "m4"], a);
        Assert.Equal(["m1", "m3", "m5"], b);
    }

    [Fact]
    public async Task A_thousand_messages_arrive_in_publish_order()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < 1000; i++)
            await PublishAsync(ch, "", q, i.ToString());

        var consumer = await ConsumeAsync(ch, q, autoAck: true);

        var received = (await consumer.NextAsync(1000)).Select(d => int.Parse(d.Text));
        Assert.Equal(Enumerable.Range(0, 1000), received);
    }

    [Fact]
    public async Task Prefetch_count_limits_unacked_deliveries()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < 10; i++)
            await PublishAsync(ch, "", q, $"m{i}");
        await ch.BasicQosAsync(0, 3, false, Ct);

        var consumer = await ConsumeAsync(ch, q);
        var firstThree = await consumer.NextAsync(3);

        // Seven still ready in the queue: exactly three were handed out.
        Assert.Equal(7u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Equal(0, consumer.Buffered);

        await ch.BasicAckAsync(firstThree[0].DeliveryTag, false, Ct);
        Assert.Equal("m3", (await consumer.NextAsync()).Text);
        Assert.Equal(6u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Declare_ok_counts_the_consumers()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ConsumeAsync(ch, q);
        await ConsumeAsync(await OpenChannelAsync(), q);

        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q, Ct)).ConsumerCount);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ConsumerTests_on_Warren(WarrenFixture f) : ConsumerTests(f.Target);

public sealed class ConsumerTests_on_RabbitMq(RabbitMqFixture f) : ConsumerTests(f.Target);
