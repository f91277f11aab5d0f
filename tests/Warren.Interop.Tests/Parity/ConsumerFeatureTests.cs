using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class ConsumerFeatureTests(BrokerTarget target) : ParityTest(target)
{
    private static Dictionary<string, object?> PriorityArgument(object value) => Args(("x-priority", value));

    [Fact]
    public async Task A_higher_priority_consumer_gets_the_messages_while_it_has_capacity()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var low = await ConsumeWithArgumentsAsync(await OpenChannelAsync(), q, PriorityArgument(1));
        var highChannel = await OpenChannelAsync();
        await highChannel.BasicQosAsync(0, 2, false, Ct);
        var high = await ConsumeWithArgumentsAsync(highChannel, q, PriorityArgument(10));

        for (var i = 1; i <= 5; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(["m1", "m2"], (await high.NextAsync(2)).Select(d => d.Text));
        Assert.Equal(["m3", "m4", "m5"], (await low.NextAsync(3)).Select(d => d.Text));
        Assert.Equal(0, high.Buffered);
    }

    [Fact]
    public async Task A_lower_priority_consumer_gets_messages_again_when_the_higher_one_is_cancelled()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var high = await ConsumeWithArgumentsAsync(await OpenChannelAsync(), q, PriorityArgument(5L), autoAck: true);
        var low = await ConsumeWithArgumentsAsync(await OpenChannelAsync(), q, PriorityArgument(-5), autoAck: true);

        await PublishAsync(ch, "", q, "to high");
        Assert.Equal("to high", (await high.NextAsync()).Text);
        await high.Channel.BasicCancelAsync(high.Tag, cancellationToken: Ct);
        await PublishAsync(ch, "", q, "to low");

        Assert.Equal("to low", (await low.NextAsync()).Text);
        Assert.Equal(0, low.Buffered);
    }

    [Fact]
    public async Task A_non_integer_consumer_priority_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeWithArgumentsAsync(ch, q, PriorityArgument("high")));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - invalid arg 'x-priority' for queue '" + q + "' in vhost '/': \"expected integer, got longstr\"", 60, 20);
    }

    [Fact]
    public async Task Only_the_first_consumer_of_a_single_active_consumer_queue_receives()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-single-active-consumer", true)));
        var first = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);
        var second = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);

        for (var i = 1; i <= 4; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(["m1", "m2", "m3", "m4"], (await first.NextAsync(4)).Select(d => d.Text));
        Assert.Equal(0, second.Buffered);
        // Both consumers count.
        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q, Ct)).ConsumerCount);
    }

    [Fact]
    public async Task The_next_consumer_takes_over_when_the_active_one_cancels()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-single-active-consumer", true)));
        var first = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);
        var second = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);
        var third = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);
        await PublishAsync(ch, "", q, "m1");
        Assert.Equal("m1", (await first.NextAsync()).Text);

        await first.Channel.BasicCancelAsync(first.Tag, cancellationToken: Ct);
        await PublishAsync(ch, "", q, "m2");
        await PublishAsync(ch, "", q, "m3");

        Assert.Equal(["m2", "m3"], (await second.NextAsync(2)).Select(d => d.Text));
        Assert.Equal((0, 0), (first.Buffered, third.Buffered));
    }

    [Fact]
    public async Task Unacked_messages_of_the_active_consumer_go_to_the_next_one_when_its_channel_closes()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-single-active-consumer", true)));
        var first = await ConsumeAsync(await OpenChannelAsync(), q);
        var second = await ConsumeAsync(await OpenChannelAsync(), q);
        await PublishAsync(ch, "", q, "m1");
        await PublishAsync(ch, "", q, "m2");
        await first.NextAsync(2);

        await first.Channel.CloseAsync(Ct);

        var redelivered = await second.NextAsync(2);
        Assert.Equal([("m1", true), ("m2", true)], redelivered.Select(d => (d.Text, d.Redelivered)));
    }

    [Fact]
    public async Task An_exclusive_consume_on_a_single_active_consumer_queue_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-single-active-consumer", true)));

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(ch, q, exclusive: true));

        AssertClose(ex.ShutdownReason!, 403, $"ACCESS_REFUSED - queue '{q}' in vhost '/' in exclusive use", 60, 20);
    }

    [Fact]
    public async Task Every_consumer_of_a_deleted_queue_gets_basic_cancel_and_keeps_its_channel()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var a = await ConsumeAsync(await OpenChannelAsync(), q);
        var b = await ConsumeAsync(a.Channel, q, consumerTag: "chosen-tag");
        var cancelled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = await OpenChannelAsync();
        var eventing = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(other);
        eventing.UnregisteredAsync += (_, e) => { cancelled.TrySetResult(e.ConsumerTags[0]); return Task.CompletedTask; };
        var eventingTag = await other.BasicConsumeAsync(q, false, eventing, Ct);

        await ch.QueueDeleteAsync(q, cancellationToken: Ct);

        Assert.Equal(a.Tag, await a.CancelledByBroker.WaitAsync(Timeout, Ct));
        Assert.Equal("chosen-tag", await b.CancelledByBroker.WaitAsync(Timeout, Ct));
        Assert.Equal(eventingTag, await cancelled.Task.WaitAsync(Timeout, Ct));
        Assert.True(a.Channel.IsOpen);
        var q2 = await DeclareQueueAsync(a.Channel);
        await a.Channel.QueueDeclarePassiveAsync(q2, Ct);
    }

    [Fact]
    public async Task Deleting_a_single_active_consumer_queue_cancels_the_waiting_consumers_too()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-single-active-consumer", true)));
        var active = await ConsumeAsync(await OpenChannelAsync(), q);
        var waiting = await ConsumeAsync(await OpenChannelAsync(), q);

        await ch.QueueDeleteAsync(q, cancellationToken: Ct);

        Assert.Equal(active.Tag, await active.CancelledByBroker.WaitAsync(Timeout, Ct));
        Assert.Equal(waiting.Tag, await waiting.CancelledByBroker.WaitAsync(Timeout, Ct));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ConsumerFeatureTests_on_Warren(WarrenFixture f) : ConsumerFeatureTests(f.Target);

public sealed class ConsumerFeatureTests_on_RabbitMq(RabbitMqFixture f) : ConsumerFeatureTests(f.Target);
