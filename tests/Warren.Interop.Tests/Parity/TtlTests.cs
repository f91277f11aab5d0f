using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class TtlTests(BrokerTarget target) : ParityTest(target)
{
    [Fact]
    public async Task Messages_older_than_the_queue_message_ttl_are_dropped()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-message-ttl", 200)));

        await PublishAsync(ch, "", q, "m1");
        await PublishAsync(ch, "", q, "m2");
        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await WaitForMessageCountAsync(ch, q, 0);

        Assert.Null(await ch.BasicGetAsync(q, false, Ct));
        var consumer = await ConsumeAsync(ch, q);
        await PublishAsync(ch, "", q, "fresh");
        Assert.Equal("fresh", (await consumer.NextAsync()).Text);
    }

    [Fact]
    public async Task A_message_expiration_property_drops_the_message()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "short", new BasicProperties { Expiration = "150" });
        await WaitForMessageCountAsync(ch, q, 0);

        Assert.Null(await ch.BasicGetAsync(q, false, Ct));
    }

    [Fact]
    public async Task The_lower_of_queue_ttl_and_message_expiration_applies()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-message-ttl", 150)));

        await PublishAsync(ch, "", q, "long expiration", new BasicProperties { Expiration = "600000" });
        await WaitForMessageCountAsync(ch, q, 0);
    }

    [Fact]
    public async Task A_message_with_an_expiration_is_delivered_with_that_expiration()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "m", new BasicProperties { Expiration = "600000" });

        Assert.Equal("600000", (await ch.BasicGetAsync(q, true, Ct))!.BasicProperties.Expiration);
    }

    [Fact]
    public async Task An_expired_message_behind_a_live_one_is_dropped_only_when_it_reaches_the_head()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var clock = await DeclareQueueAsync(ch, arguments: Args(("x-message-ttl", 300)));

        await PublishAsync(ch, "", q, "live", new BasicProperties { Expiration = "600000" });
        await PublishAsync(ch, "", q, "expiring", new BasicProperties { Expiration = "50" });
        await PublishAsync(ch, "", clock, "tick");
        // When the clock queue's message has expired, "expiring" (50 ms, published earlier) has too.
        await WaitForMessageCountAsync(ch, clock, 0);

        // Per-message expiry is checked at the head only: the expired message still counts.
        Assert.Equal(2u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(("live", 0u), (Text(got!.Body), got.MessageCount));
        Assert.Null(await ch.BasicGetAsync(q, true, Ct));
    }

    [Fact]
    public async Task Expiration_zero_is_delivered_to_a_waiting_consumer()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = await ConsumeAsync(await OpenChannelAsync(), q, autoAck: true);

        await PublishAsync(ch, "", q, "now or never", new BasicProperties { Expiration = "0" });

        var delivery = await consumer.NextAsync();
        Assert.Equal(("now or never", "0"), (delivery.Text, delivery.Properties.Expiration));
    }

    [Fact]
    public async Task Expiration_zero_without_a_consumer_expires_at_once()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "now or never", new BasicProperties { Expiration = "0" });

        Assert.Null(await ch.BasicGetAsync(q, true, Ct));
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Queue_ttl_zero_without_a_consumer_expires_at_once()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-message-ttl", 0)));

        await PublishAsync(ch, "", q, "now or never");

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Theory]
    [InlineData("abc", "PRECONDITION_FAILED - invalid expiration 'abc': no_integer")]
    [InlineData("-1", "PRECONDITION_FAILED - invalid expiration '-1': {value_negative,-1}")]
    [InlineData("1.5", "PRECONDITION_FAILED - invalid expiration '1.5': {leftover_string,\".5\"}")]
    [InlineData("", "PRECONDITION_FAILED - invalid expiration '': no_integer")]
    public async Task An_invalid_expiration_closes_the_channel_with_precondition_failed(string expiration, string text)
    {
        var ch = await OpenChannelAsync(confirms: false);
        var q = await DeclareQueueAsync(ch);

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, "", q, "m", new BasicProperties { Expiration = expiration }));

        AssertClose(reason, 406, text, 60, 40);
    }

    [Fact]
    public async Task An_unused_queue_with_x_expires_is_deleted()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-expires", 200)));
        await PublishAsync(ch, "", q, "messages do not keep a queue alive");

        await WaitForQueueDeletedAsync(q);
        await WaitForQueueGoneForPassiveDeclareAsync(q);
    }

    [Fact]
    public async Task A_queue_with_a_consumer_does_not_expire()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-expires", 100)));
        var consumer = await ConsumeAsync(await OpenChannelAsync(), q);
        var clock = await DeclareQueueAsync(ch, arguments: Args(("x-expires", 300)));

        await WaitForQueueDeletedAsync(clock);

        await PublishAsync(ch, "", q, "still routable", mandatory: true);
        await consumer.Channel.BasicCancelAsync(consumer.Tag, cancellationToken: Ct);
        await WaitForQueueDeletedAsync(q);
        await WaitForQueueGoneForPassiveDeclareAsync(q);
    }

    private async Task WaitForQueueGoneForPassiveDeclareAsync(string q)
    {
        await using var ch = await (await ConnectionAsync()).CreateChannelAsync(cancellationToken: Ct);
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q, Ct));
        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 50, 10);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class TtlTests_on_Warren(WarrenFixture f) : TtlTests(f.Target);

public sealed class TtlTests_on_RabbitMq(RabbitMqFixture f) : TtlTests(f.Target);
