using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class DirectReplyToTests(BrokerTarget target) : ParityTest(target)
{
    private const string ReplyTo = "amq.rabbitmq.reply-to";

    [Fact]
    public async Task A_reply_to_the_pseudo_queue_reaches_the_requesting_channel()
    {
        var server = await OpenChannelAsync();
        var requests = await DeclareQueueAsync(server);
        var client = await OpenChannelAsync();
        var replies = await ConsumeAsync(client, ReplyTo, autoAck: true);

        await PublishAsync(client, "", requests, "ping", new BasicProperties { ReplyTo = ReplyTo, CorrelationId = "c-1" });
        var request = await server.BasicGetAsync(requests, true, Ct);
        var replyAddress = request!.BasicProperties.ReplyTo!;
        Assert.StartsWith(ReplyTo + ".", replyAddress);
        Assert.True(replyAddress.Length > ReplyTo.Length + 1);
        await PublishAsync(server, "", replyAddress, "pong", new BasicProperties { CorrelationId = request.BasicProperties.CorrelationId });

        var reply = await replies.NextAsync();
        Assert.Equal(("pong", "c-1", "", replyAddress, replies.Tag), (reply.Text, reply.Properties.CorrelationId, reply.Exchange, reply.RoutingKey, reply.ConsumerTag));
        Assert.False(reply.Redelivered);
    }

    [Fact]
    public async Task Each_request_from_one_channel_gets_the_same_reply_address()
    {
        var server = await OpenChannelAsync();
        var requests = await DeclareQueueAsync(server);
        var client = await OpenChannelAsync();
        await ConsumeAsync(client, ReplyTo, autoAck: true);

        await PublishAsync(client, "", requests, "1", new BasicProperties { ReplyTo = ReplyTo });
        await PublishAsync(client, "", requests, "2", new BasicProperties { ReplyTo = ReplyTo });

        var first = (await server.BasicGetAsync(requests, true, Ct))!.BasicProperties.ReplyTo;
        var second = (await server.BasicGetAsync(requests, true, Ct))!.BasicProperties.ReplyTo;
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task The_consumer_tag_asked_for_is_kept()
    {
        var client = await OpenChannelAsync();

        var replies = await ConsumeAsync(client, ReplyTo, autoAck: true, consumerTag: "my-replies");

        Assert.Equal("my-replies", replies.Tag);
    }

    [Fact]
    public async Task Consuming_the_pseudo_queue_with_acknowledgements_is_refused()
    {
        var client = await OpenChannelAsync();

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(client, ReplyTo, autoAck: false));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - reply consumer cannot acknowledge", 60, 20);
    }

    [Fact]
    public async Task A_second_reply_consumer_on_the_channel_is_refused()
    {
        var client = await OpenChannelAsync();
        await ConsumeAsync(client, ReplyTo, autoAck: true);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(client, ReplyTo, autoAck: true));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - reply consumer already set", 60, 20);
    }

    [Fact]
    public async Task Publishing_with_the_pseudo_queue_as_reply_to_without_consuming_is_refused()
    {
        var server = await OpenChannelAsync();
        var requests = await DeclareQueueAsync(server);
        // On a connection of its own, and without a round trip after the publish: a basic.qos racing RabbitMQ's
        // channel.close would be a connection error (504 "expected 'channel.open'").
        var client = await (await ConnectAsync()).CreateChannelAsync(cancellationToken: Ct);
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ChannelShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };

        await PublishAsync(client, "", requests, "ping", new BasicProperties { ReplyTo = ReplyTo });

        var reason = await closed.Task.WaitAsync(Timeout, Ct);
        AssertClose(reason, 406, "PRECONDITION_FAILED - fast reply consumer does not exist", 60, 40);
        Assert.Equal(0u, (await server.QueueDeclarePassiveAsync(requests, Ct)).MessageCount);
    }

    [Fact]
    public async Task The_pseudo_queue_can_be_declared_passively()
    {
        var ch = await OpenChannelAsync();

        var ok = await ch.QueueDeclarePassiveAsync(ReplyTo, Ct);

        // RabbitMQ answers as if the pseudo-queue existed with one consumer.
        Assert.Equal((ReplyTo, 0u, 1u), (ok.QueueName, ok.MessageCount, ok.ConsumerCount));
    }

    [Fact]
    public async Task A_reply_to_an_unknown_reply_address_is_dropped()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(ch, "", ReplyTo + ".bogus", "nobody", mandatory: true);
        await log.WaitForAsync(1);

        Assert.Equal(["return 312 NO_ROUTE nobody", "ack 1"], log.Events);
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task A_reply_after_the_requesting_channel_closed_is_dropped()
    {
        var server = await OpenChannelAsync();
        var requests = await DeclareQueueAsync(server);
        var client = await OpenChannelAsync();
        await ConsumeAsync(client, ReplyTo, autoAck: true);
        await PublishAsync(client, "", requests, "ping", new BasicProperties { ReplyTo = ReplyTo });
        var replyAddress = (await server.BasicGetAsync(requests, true, Ct))!.BasicProperties.ReplyTo!;
        await client.CloseAsync(Ct);
        var (raw, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(raw, "", replyAddress, "too late", mandatory: true);
        await log.WaitForAsync(1);

        Assert.Equal(["return 312 NO_ROUTE too late", "ack 1"], log.Events);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class DirectReplyToTests_on_Warren(WarrenFixture f) : DirectReplyToTests(f.Target);

public sealed class DirectReplyToTests_on_RabbitMq(RabbitMqFixture f) : DirectReplyToTests(f.Target);
