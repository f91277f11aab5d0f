using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class TransactionTests(BrokerTarget target) : ParityTest(target)
{
    [Fact]
    public async Task Committed_publishes_arrive_and_rolled_back_publishes_never_do()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var q = await DeclareQueueAsync(ch);
        await ch.TxSelectAsync(Ct);

        await PublishAsync(ch, "", q, "rolled back");
        await ch.TxRollbackAsync(Ct);
        await PublishAsync(ch, "", q, "uncommitted");
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await ch.TxCommitAsync(Ct);

        // tx.commit-ok is sent once the messages are enqueued: no race with the count.
        Assert.Equal(1u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Equal(["uncommitted"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task A_channel_stays_transactional_after_a_commit()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var q = await DeclareQueueAsync(ch);
        await ch.TxSelectAsync(Ct);
        await ch.TxCommitAsync(Ct);

        await PublishAsync(ch, "", q, "second transaction");
        await ch.TxRollbackAsync(Ct);
        await ch.TxSelectAsync(Ct); // selecting again is allowed

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Rolled_back_acks_leave_the_messages_unacked_and_they_are_redelivered_after_the_channel_closes()
    {
        var setup = await OpenChannelAsync();
        var q = await DeclareQueueAsync(setup);
        await PublishAsync(setup, "", q, "m1");
        await PublishAsync(setup, "", q, "m2");
        var ch = await OpenChannelAsync(confirms: false);
        await ch.TxSelectAsync(Ct);
        var first = await ch.BasicGetAsync(q, false, Ct);
        var second = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicAckAsync(first!.DeliveryTag, false, Ct);
        await ch.BasicAckAsync(second!.DeliveryTag, false, Ct);
        await ch.TxRollbackAsync(Ct);
        // The acks are discarded, not turned into requeues: both messages are still unacked.
        Assert.Equal(0u, (await setup.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await ch.CloseAsync(Ct);

        var again = new List<(string, bool)>();
        while (await setup.BasicGetAsync(q, true, Ct) is { } got)
            again.Add((Text(got.Body), got.Redelivered));
        Assert.Equal([("m1", true), ("m2", true)], again);
    }

    [Fact]
    public async Task Committed_acks_remove_the_messages()
    {
        var setup = await OpenChannelAsync();
        var q = await DeclareQueueAsync(setup);
        await PublishAsync(setup, "", q, "m1");
        await PublishAsync(setup, "", q, "m2");
        var ch = await OpenChannelAsync(confirms: false);
        await ch.TxSelectAsync(Ct);
        var first = await ch.BasicGetAsync(q, false, Ct);
        var second = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicAckAsync(first!.DeliveryTag, false, Ct);
        await ch.TxCommitAsync(Ct);
        await ch.CloseAsync(Ct);

        Assert.Equal(second!.DeliveryTag, first.DeliveryTag + 1);
        var left = await setup.BasicGetAsync(q, true, Ct);
        Assert.Equal(("m2", true, 0u), (Text(left!.Body), left.Redelivered, left.MessageCount));
    }

    [Fact]
    public async Task A_rolled_back_reject_leaves_the_message_unacked()
    {
        var setup = await OpenChannelAsync();
        var q = await DeclareQueueAsync(setup);
        await PublishAsync(setup, "", q, "m1");
        var ch = await OpenChannelAsync(confirms: false);
        await ch.TxSelectAsync(Ct);
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: true, Ct);
        await ch.TxRollbackAsync(Ct);
        Assert.Equal(0u, (await setup.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await ch.BasicAckAsync(got.DeliveryTag, false, Ct);
        await ch.TxCommitAsync(Ct);
        await ch.CloseAsync(Ct);

        Assert.Equal(0u, (await setup.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Commit_without_select_closes_the_channel_with_precondition_failed()
    {
        var ch = await OpenChannelAsync(confirms: false);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.TxCommitAsync(Ct));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - channel is not transactional", 90, 20);
    }

    [Fact]
    public async Task Rollback_without_select_closes_the_channel_with_precondition_failed()
    {
        var ch = await OpenChannelAsync(confirms: false);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.TxRollbackAsync(Ct));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - channel is not transactional", 90, 30);
    }

    [Fact]
    public async Task Tx_select_on_a_confirm_channel_closes_the_channel_with_precondition_failed()
    {
        var ch = await OpenChannelAsync(confirms: true);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.TxSelectAsync(Ct));

        AssertClose(ex.ShutdownReason!, 406, "PRECONDITION_FAILED - cannot switch from confirm to tx mode", 90, 10);
    }

    [Fact]
    public async Task Confirm_select_on_a_transactional_channel_closes_the_channel_with_precondition_failed()
    {
        // RabbitMQ.Client only sends confirm.select when a channel opens: speak the protocol by hand.
        await using var socket = await RawAmqpSocket.ConnectAsync(Target.RequiredUri);
        await socket.HandshakeAsync();
        await socket.OpenChannelAsync(1);
        await socket.SendMethodAsync(1, 90, 10);
        await socket.ExpectMethodAsync(90, 11);

        await socket.SendMethodAsync(1, 85, 10, w => w.Octet(0));

        var close = await socket.ExpectChannelCloseAsync(1);
        Assert.Equal(new RawClose(406, "PRECONDITION_FAILED - cannot switch from tx to confirm mode", 85, 10), close);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class TransactionTests_on_Warren(WarrenFixture f) : TransactionTests(f.Target);

public sealed class TransactionTests_on_RabbitMq(RabbitMqFixture f) : TransactionTests(f.Target);
