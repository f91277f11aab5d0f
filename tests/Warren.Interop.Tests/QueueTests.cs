using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class QueueTests(BrokerTarget target) : InteropTest(target)
{
    [Fact]
    public async Task An_empty_name_gets_a_server_generated_amq_gen_name()
    {
        var ch = await OpenChannelAsync();

        var ok = await ch.QueueDeclareAsync("", false, true, true, cancellationToken: Ct);
        DeleteAfterTest(ok.QueueName);

        Assert.StartsWith("amq.gen-", ok.QueueName);
        Assert.True(ok.QueueName.Length > "amq.gen-".Length);
        await ch.QueueDeclarePassiveAsync(ok.QueueName, Ct);
    }

    [Fact]
    public async Task Declare_ok_reports_message_and_consumer_counts()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < 3; i++)
            await PublishAsync(ch, "", q, $"m{i}");
        var consumerChannel = await OpenChannelAsync();
        await consumerChannel.BasicQosAsync(0, 1, false, Ct);
        var consumer = await ConsumeAsync(consumerChannel, q);
        await consumer.NextAsync();

        var redeclared = await ch.QueueDeclareAsync(q, false, false, false, cancellationToken: Ct);
        var passive = await ch.QueueDeclarePassiveAsync(q, Ct);

        // message-count counts only ready messages: the one delivered and unacked is not in it.
        Assert.Equal((2u, 1u), (redeclared.MessageCount, redeclared.ConsumerCount));
        Assert.Equal((2u, 1u), (passive.MessageCount, passive.ConsumerCount));
        Assert.Equal(2u, await ch.MessageCountAsync(q, Ct));
        Assert.Equal(1u, await ch.ConsumerCountAsync(q, Ct));
    }

    [Fact]
    public async Task Passive_declare_of_a_missing_queue_fails_with_not_found()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q, Ct));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 50, 10);
    }

    [Fact]
    public async Task Redeclaring_with_another_durability_fails_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclareAsync(q, true, false, false, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - inequivalent arg 'durable' for queue '{q}' in vhost '/': received 'true' but current is 'false'", 50, 10);
    }

    [Fact]
    public async Task Redeclaring_with_other_arguments_fails_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: new Dictionary<string, object?> { ["x-max-length"] = 10 });

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclareAsync(q, false, false, false,
            new Dictionary<string, object?> { ["x-max-length"] = 20 }, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - inequivalent arg 'x-max-length' for queue '{q}' in vhost '/': received '20' but current is '10'", 50, 10);
    }

    [Fact]
    public async Task An_exclusive_queue_is_locked_for_other_connections()
    {
        var owner = await OpenChannelAsync();
        var q = await DeclareQueueAsync(owner, exclusive: true);
        var other = await (await ConnectAsync()).CreateChannelAsync(cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => other.QueueDeclarePassiveAsync(q, Ct));

        // Surprising: the text is longer than a shortstr allows, RabbitMQ cuts it and appends "...".
        AssertClose(ex.ShutdownReason!, 405, AsReplyText(
            $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."), 50, 10);
    }

    [Fact]
    public async Task Consuming_from_an_exclusive_queue_of_another_connection_is_locked()
    {
        var owner = await OpenChannelAsync();
        var q = await DeclareQueueAsync(owner, exclusive: true);
        var other = await (await ConnectAsync()).CreateChannelAsync(cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ConsumeAsync(other, q));

        // Surprising: the text is longer than a shortstr allows, RabbitMQ cuts it and appends "...".
        AssertClose(ex.ShutdownReason!, 405, AsReplyText(
            $"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '{q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."), 60, 20);
    }

    [Fact]
    public async Task An_exclusive_queue_is_deleted_when_its_connection_closes()
    {
        var ownerConnection = await ConnectAsync();
        var owner = await ownerConnection.CreateChannelAsync(cancellationToken: Ct);
        var q = await DeclareQueueAsync(owner, exclusive: true);

        await ownerConnection.CloseAsync(Ct);

        var ch = await OpenChannelAsync();
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q, Ct));
        Assert.Equal(404, ex.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task An_auto_delete_queue_is_deleted_when_its_last_consumer_cancels()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, autoDelete: true);
        var first = await ConsumeAsync(ch, q);
        var second = await ConsumeAsync(ch, q);

        await ch.BasicCancelAsync(first.Tag, cancellationToken: Ct);
        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q, Ct)).ConsumerCount);
        await ch.BasicCancelAsync(second.Tag, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q, Ct));
        Assert.Equal(404, ex.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task An_auto_delete_queue_without_consumers_ever_stays()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, autoDelete: true);

        await ch.CloseAsync(Ct);

        var other = await OpenChannelAsync();
        await other.QueueDeclarePassiveAsync(q, Ct);
    }

    [Fact]
    public async Task Bind_routes_and_unbind_stops_routing()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        await ch.QueueBindAsync(q, x, "k", cancellationToken: Ct);
        await PublishAsync(ch, x, "k", "bound");
        await ch.QueueUnbindAsync(q, x, "k", cancellationToken: Ct);
        await PublishAsync(ch, x, "k", "unbound");

        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Equal("bound", Text((await ch.BasicGetAsync(q, true, Ct))!.Body));
    }

    [Fact]
    public async Task Binding_twice_is_idempotent()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        await ch.QueueBindAsync(q, x, "k", cancellationToken: Ct);
        await ch.QueueBindAsync(q, x, "k", cancellationToken: Ct);
        await PublishAsync(ch, x, "k", "once");

        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Unbinding_a_binding_that_does_not_exist_succeeds()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        // RabbitMQ treats queue.unbind as idempotent when the queue and the exchange exist.
        await ch.QueueUnbindAsync(q, x, "never-bound", cancellationToken: Ct);

        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Binding_to_a_missing_exchange_fails_with_not_found()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var x = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueBindAsync(q, x, "k", cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no exchange '{x}' in vhost '/'", 50, 20);
    }

    [Fact]
    public async Task Binding_a_missing_queue_fails_with_not_found()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var q = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueBindAsync(q, x, "k", cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no queue '{q}' in vhost '/'", 50, 20);
    }

    [Fact]
    public async Task Purge_returns_the_number_of_messages_removed()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < 5; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        var purged = await ch.QueuePurgeAsync(q, Ct);

        Assert.Equal(5u, purged);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Delete_returns_the_number_of_messages_deleted()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < 4; i++)
            await PublishAsync(ch, "", q, $"m{i}");

        var deleted = await ch.QueueDeleteAsync(q, cancellationToken: Ct);

        Assert.Equal(4u, deleted);
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q, Ct));
        Assert.Equal(404, ex.ShutdownReason!.ReplyCode);
    }

    [Fact]
    public async Task Deleting_a_missing_queue_succeeds_with_zero()
    {
        var ch = await OpenChannelAsync();

        // RabbitMQ made queue.delete idempotent: no 404.
        var deleted = await ch.QueueDeleteAsync(NewName("missing"), cancellationToken: Ct);

        Assert.Equal(0u, deleted);
    }

    [Fact]
    public async Task Delete_if_unused_fails_while_the_queue_has_a_consumer()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await ConsumeAsync(await OpenChannelAsync(), q);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeleteAsync(q, ifUnused: true, ifEmpty: false, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - queue '{q}' in vhost '/' in use", 50, 40);
    }

    [Fact]
    public async Task Delete_if_empty_fails_while_the_queue_has_messages()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PublishAsync(ch, "", q, "keep me");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeleteAsync(q, ifUnused: false, ifEmpty: true, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - queue '{q}' in vhost '/' not empty", 50, 40);
    }

    [Fact]
    public async Task Declaring_a_queue_named_amq_dot_is_refused()
    {
        var ch = await OpenChannelAsync();
        var q = "amq." + Guid.NewGuid().ToString("N");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclareAsync(q, false, false, false, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 403, $"ACCESS_REFUSED - queue name '{q}' contains reserved prefix 'amq.*'", 50, 10);
    }

    [Fact]
    public async Task Deleting_a_queue_cancels_its_consumers_with_basic_cancel()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var consumer = await ConsumeAsync(await OpenChannelAsync(), q);

        await ch.QueueDeleteAsync(q, cancellationToken: Ct);

        // consumer_cancel_notify: the broker tells the consumer, the consumer's channel stays open.
        Assert.Equal(consumer.Tag, await consumer.CancelledByBroker.WaitAsync(Timeout, Ct));
        Assert.True(consumer.Channel.IsOpen);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class QueueTests_on_Warren(WarrenFixture f) : QueueTests(f.Target);

public sealed class QueueTests_on_RabbitMq(RabbitMqFixture f) : QueueTests(f.Target);
