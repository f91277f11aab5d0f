using Warren.Amqp.Protocol;

namespace Warren.Amqp.Tests.Protocol;

/// <summary>Every method written then read back gives the same value.</summary>
public sealed class MethodRoundTripTests
{
    private static Dictionary<string, object?> SampleTable() => new()
    {
        ["x-message-ttl"] = 60000,
        ["x-queue-type"] = "quorum",
        ["nested"] = new Dictionary<string, object?> { ["flag"] = true },
    };

    [Fact]
    public void Connection_start_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionStart((byte)7, (byte)8, SampleTable(), "long string 3", "long string 4"), ConnectionStart.ReadFrom);
    }

    [Fact]
    public void Connection_start_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionStartOk(SampleTable(), "s1-é", [1, 2, 3, (byte)2], "s3-é"), ConnectionStartOk.ReadFrom);
    }

    [Fact]
    public void Connection_secure_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionSecure([1, 2, 3, (byte)0]), ConnectionSecure.ReadFrom);
    }

    [Fact]
    public void Connection_secure_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionSecureOk([1, 2, 3, (byte)0]), ConnectionSecureOk.ReadFrom);
    }

    [Fact]
    public void Connection_tune_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionTune((ushort)48879, 3735928558u, (ushort)48877), ConnectionTune.ReadFrom);
    }

    [Fact]
    public void Connection_tune_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionTuneOk((ushort)48879, 3735928558u, (ushort)48877), ConnectionTuneOk.ReadFrom);
    }

    [Fact]
    public void Connection_open_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionOpen("s0-é"), ConnectionOpen.ReadFrom);
    }

    [Fact]
    public void Connection_open_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionOpenOk(), ConnectionOpenOk.ReadFrom);
    }

    [Fact]
    public void Connection_close_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionClose((ushort)48879, "s1-é", (ushort)48877, (ushort)48876), ConnectionClose.ReadFrom);
    }

    [Fact]
    public void Connection_close_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionCloseOk(), ConnectionCloseOk.ReadFrom);
    }

    [Fact]
    public void Connection_blocked_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionBlocked("s0-é"), ConnectionBlocked.ReadFrom);
    }

    [Fact]
    public void Connection_unblocked_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionUnblocked(), ConnectionUnblocked.ReadFrom);
    }

    [Fact]
    public void Connection_update_secret_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionUpdateSecret([1, 2, 3, (byte)0], "s1-é"), ConnectionUpdateSecret.ReadFrom);
    }

    [Fact]
    public void Connection_update_secret_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConnectionUpdateSecretOk(), ConnectionUpdateSecretOk.ReadFrom);
    }

    [Fact]
    public void Channel_open_round_trips()
    {
        MethodAssert.RoundTrips(new ChannelOpen(), ChannelOpen.ReadFrom);
    }

    [Fact]
    public void Channel_open_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ChannelOpenOk(), ChannelOpenOk.ReadFrom);
    }

    [Fact]
    public void Channel_flow_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ChannelFlow(true), ChannelFlow.ReadFrom);
        MethodAssert.RoundTrips(new ChannelFlow(false), ChannelFlow.ReadFrom);
    }

    [Fact]
    public void Channel_flow_ok_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ChannelFlowOk(true), ChannelFlowOk.ReadFrom);
        MethodAssert.RoundTrips(new ChannelFlowOk(false), ChannelFlowOk.ReadFrom);
    }

    [Fact]
    public void Channel_close_round_trips()
    {
        MethodAssert.RoundTrips(new ChannelClose((ushort)48879, "s1-é", (ushort)48877, (ushort)48876), ChannelClose.ReadFrom);
    }

    [Fact]
    public void Channel_close_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ChannelCloseOk(), ChannelCloseOk.ReadFrom);
    }

    [Fact]
    public void Exchange_declare_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", true, false, true, false, true, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", false, true, false, true, false, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", true, false, false, false, false, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", false, true, false, false, false, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", false, false, true, false, false, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", false, false, false, true, false, SampleTable()), ExchangeDeclare.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDeclare("s0-é", "s1-é", false, false, false, false, true, SampleTable()), ExchangeDeclare.ReadFrom);
    }

    [Fact]
    public void Exchange_declare_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ExchangeDeclareOk(), ExchangeDeclareOk.ReadFrom);
    }

    [Fact]
    public void Exchange_delete_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ExchangeDelete("s0-é", false, true), ExchangeDelete.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDelete("s0-é", true, false), ExchangeDelete.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDelete("s0-é", true, false), ExchangeDelete.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeDelete("s0-é", false, true), ExchangeDelete.ReadFrom);
    }

    [Fact]
    public void Exchange_delete_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ExchangeDeleteOk(), ExchangeDeleteOk.ReadFrom);
    }

    [Fact]
    public void Exchange_bind_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ExchangeBind("s0-é", "s1-é", "s2-é", false, SampleTable()), ExchangeBind.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeBind("s0-é", "s1-é", "s2-é", true, SampleTable()), ExchangeBind.ReadFrom);
    }

    [Fact]
    public void Exchange_bind_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ExchangeBindOk(), ExchangeBindOk.ReadFrom);
    }

    [Fact]
    public void Exchange_unbind_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ExchangeUnbind("s0-é", "s1-é", "s2-é", false, SampleTable()), ExchangeUnbind.ReadFrom);
        MethodAssert.RoundTrips(new ExchangeUnbind("s0-é", "s1-é", "s2-é", true, SampleTable()), ExchangeUnbind.ReadFrom);
    }

    [Fact]
    public void Exchange_unbind_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ExchangeUnbindOk(), ExchangeUnbindOk.ReadFrom);
    }

    [Fact]
    public void Queue_declare_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", false, true, false, true, false, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", true, false, true, false, true, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", true, false, false, false, false, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", false, true, false, false, false, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", false, false, true, false, false, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", false, false, false, true, false, SampleTable()), QueueDeclare.ReadFrom);
        MethodAssert.RoundTrips(new QueueDeclare("s0-é", false, false, false, false, true, SampleTable()), QueueDeclare.ReadFrom);
    }

    [Fact]
    public void Queue_declare_ok_round_trips()
    {
        MethodAssert.RoundTrips(new QueueDeclareOk("s0-é", 3735928558u, 3735928557u), QueueDeclareOk.ReadFrom);
    }

    [Fact]
    public void Queue_bind_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new QueueBind("s0-é", "s1-é", "s2-é", false, SampleTable()), QueueBind.ReadFrom);
        MethodAssert.RoundTrips(new QueueBind("s0-é", "s1-é", "s2-é", true, SampleTable()), QueueBind.ReadFrom);
    }

    [Fact]
    public void Queue_bind_ok_round_trips()
    {
        MethodAssert.RoundTrips(new QueueBindOk(), QueueBindOk.ReadFrom);
    }

    [Fact]
    public void Queue_purge_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new QueuePurge("s0-é", false), QueuePurge.ReadFrom);
        MethodAssert.RoundTrips(new QueuePurge("s0-é", true), QueuePurge.ReadFrom);
    }

    [Fact]
    public void Queue_purge_ok_round_trips()
    {
        MethodAssert.RoundTrips(new QueuePurgeOk(3735928559u), QueuePurgeOk.ReadFrom);
    }

    [Fact]
    public void Queue_delete_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new QueueDelete("s0-é", false, true, false), QueueDelete.ReadFrom);
        MethodAssert.RoundTrips(new QueueDelete("s0-é", true, false, true), QueueDelete.ReadFrom);
        MethodAssert.RoundTrips(new QueueDelete("s0-é", true, false, false), QueueDelete.ReadFrom);
        MethodAssert.RoundTrips(new QueueDelete("s0-é", false, true, false), QueueDelete.ReadFrom);
        MethodAssert.RoundTrips(new QueueDelete("s0-é", false, false, true), QueueDelete.ReadFrom);
    }

    [Fact]
    public void Queue_delete_ok_round_trips()
    {
        MethodAssert.RoundTrips(new QueueDeleteOk(3735928559u), QueueDeleteOk.ReadFrom);
    }

    [Fact]
    public void Queue_unbind_round_trips()
    {
        MethodAssert.RoundTrips(new QueueUnbind("s0-é", "s1-é", "s2-é", SampleTable()), QueueUnbind.ReadFrom);
    }

    [Fact]
    public void Queue_unbind_ok_round_trips()
    {
        MethodAssert.RoundTrips(new QueueUnbindOk(), QueueUnbindOk.ReadFrom);
    }

    [Fact]
    public void Basic_qos_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicQos(3735928559u, (ushort)48878, true), BasicQos.ReadFrom);
        MethodAssert.RoundTrips(new BasicQos(3735928559u, (ushort)48878, false), BasicQos.ReadFrom);
    }

    [Fact]
    public void Basic_qos_ok_round_trips()
    {
        MethodAssert.RoundTrips(new BasicQosOk(), BasicQosOk.ReadFrom);
    }

    [Fact]
    public void Basic_consume_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", true, false, true, false, SampleTable()), BasicConsume.ReadFrom);
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", false, true, false, true, SampleTable()), BasicConsume.ReadFrom);
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", true, false, false, false, SampleTable()), BasicConsume.ReadFrom);
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", false, true, false, false, SampleTable()), BasicConsume.ReadFrom);
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", false, false, true, false, SampleTable()), BasicConsume.ReadFrom);
        MethodAssert.RoundTrips(new BasicConsume("s0-é", "s1-é", false, false, false, true, SampleTable()), BasicConsume.ReadFrom);
    }

    [Fact]
    public void Basic_consume_ok_round_trips()
    {
        MethodAssert.RoundTrips(new BasicConsumeOk("s0-é"), BasicConsumeOk.ReadFrom);
    }

    [Fact]
    public void Basic_cancel_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicCancel("s0-é", false), BasicCancel.ReadFrom);
        MethodAssert.RoundTrips(new BasicCancel("s0-é", true), BasicCancel.ReadFrom);
    }

    [Fact]
    public void Basic_cancel_ok_round_trips()
    {
        MethodAssert.RoundTrips(new BasicCancelOk("s0-é"), BasicCancelOk.ReadFrom);
    }

    [Fact]
    public void Basic_publish_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicPublish("s0-é", "s1-é", true, false), BasicPublish.ReadFrom);
        MethodAssert.RoundTrips(new BasicPublish("s0-é", "s1-é", false, true), BasicPublish.ReadFrom);
        MethodAssert.RoundTrips(new BasicPublish("s0-é", "s1-é", true, false), BasicPublish.ReadFrom);
        MethodAssert.RoundTrips(new BasicPublish("s0-é", "s1-é", false, true), BasicPublish.ReadFrom);
    }

    [Fact]
    public void Basic_return_round_trips()
    {
        MethodAssert.RoundTrips(new BasicReturn((ushort)48879, "s1-é", "s2-é", "s3-é"), BasicReturn.ReadFrom);
    }

    [Fact]
    public void Basic_deliver_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicDeliver("s0-é", 81985529216486894UL, true, "s3-é", "s4-é"), BasicDeliver.ReadFrom);
        MethodAssert.RoundTrips(new BasicDeliver("s0-é", 81985529216486894UL, false, "s3-é", "s4-é"), BasicDeliver.ReadFrom);
    }

    [Fact]
    public void Basic_get_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicGet("s0-é", false), BasicGet.ReadFrom);
        MethodAssert.RoundTrips(new BasicGet("s0-é", true), BasicGet.ReadFrom);
    }

    [Fact]
    public void Basic_get_ok_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicGetOk(81985529216486895UL, false, "s2-é", "s3-é", 3735928555u), BasicGetOk.ReadFrom);
        MethodAssert.RoundTrips(new BasicGetOk(81985529216486895UL, true, "s2-é", "s3-é", 3735928555u), BasicGetOk.ReadFrom);
    }

    [Fact]
    public void Basic_get_empty_round_trips()
    {
        MethodAssert.RoundTrips(new BasicGetEmpty(), BasicGetEmpty.ReadFrom);
    }

    [Fact]
    public void Basic_ack_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicAck(81985529216486895UL, false), BasicAck.ReadFrom);
        MethodAssert.RoundTrips(new BasicAck(81985529216486895UL, true), BasicAck.ReadFrom);
    }

    [Fact]
    public void Basic_reject_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicReject(81985529216486895UL, false), BasicReject.ReadFrom);
        MethodAssert.RoundTrips(new BasicReject(81985529216486895UL, true), BasicReject.ReadFrom);
    }

    [Fact]
    public void Basic_recover_async_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicRecoverAsync(true), BasicRecoverAsync.ReadFrom);
        MethodAssert.RoundTrips(new BasicRecoverAsync(false), BasicRecoverAsync.ReadFrom);
    }

    [Fact]
    public void Basic_recover_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicRecover(true), BasicRecover.ReadFrom);
        MethodAssert.RoundTrips(new BasicRecover(false), BasicRecover.ReadFrom);
    }

    [Fact]
    public void Basic_recover_ok_round_trips()
    {
        MethodAssert.RoundTrips(new BasicRecoverOk(), BasicRecoverOk.ReadFrom);
    }

    [Fact]
    public void Basic_nack_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new BasicNack(81985529216486895UL, false, true), BasicNack.ReadFrom);
        MethodAssert.RoundTrips(new BasicNack(81985529216486895UL, true, false), BasicNack.ReadFrom);
        MethodAssert.RoundTrips(new BasicNack(81985529216486895UL, true, false), BasicNack.ReadFrom);
        MethodAssert.RoundTrips(new BasicNack(81985529216486895UL, false, true), BasicNack.ReadFrom);
    }

    [Fact]
    public void Tx_select_round_trips()
    {
        MethodAssert.RoundTrips(new TxSelect(), TxSelect.ReadFrom);
    }

    [Fact]
    public void Tx_select_ok_round_trips()
    {
        MethodAssert.RoundTrips(new TxSelectOk(), TxSelectOk.ReadFrom);
    }

    [Fact]
    public void Tx_commit_round_trips()
    {
        MethodAssert.RoundTrips(new TxCommit(), TxCommit.ReadFrom);
    }

    [Fact]
    public void Tx_commit_ok_round_trips()
    {
        MethodAssert.RoundTrips(new TxCommitOk(), TxCommitOk.ReadFrom);
    }

    [Fact]
    public void Tx_rollback_round_trips()
    {
        MethodAssert.RoundTrips(new TxRollback(), TxRollback.ReadFrom);
    }

    [Fact]
    public void Tx_rollback_ok_round_trips()
    {
        MethodAssert.RoundTrips(new TxRollbackOk(), TxRollbackOk.ReadFrom);
    }

    [Fact]
    public void Confirm_select_round_trips_with_every_flag_pattern()
    {
        MethodAssert.RoundTrips(new ConfirmSelect(true), ConfirmSelect.ReadFrom);
        MethodAssert.RoundTrips(new ConfirmSelect(false), ConfirmSelect.ReadFrom);
    }

    [Fact]
    public void Confirm_select_ok_round_trips()
    {
        MethodAssert.RoundTrips(new ConfirmSelectOk(), ConfirmSelectOk.ReadFrom);
    }

    [Fact]
    public void Every_method_has_its_dotted_name()
    {
        Assert.Equal("connection.start", MethodNames.Of(ConnectionStart.Id));
        Assert.Equal("connection.start-ok", MethodNames.Of(ConnectionStartOk.Id));
        Assert.Equal("connection.secure", MethodNames.Of(ConnectionSecure.Id));
        Assert.Equal("connection.secure-ok", MethodNames.Of(ConnectionSecureOk.Id));
        Assert.Equal("connection.tune", MethodNames.Of(ConnectionTune.Id));
        Assert.Equal("connection.tune-ok", MethodNames.Of(ConnectionTuneOk.Id));
        Assert.Equal("connection.open", MethodNames.Of(ConnectionOpen.Id));
        Assert.Equal("connection.open-ok", MethodNames.Of(ConnectionOpenOk.Id));
        Assert.Equal("connection.close", MethodNames.Of(ConnectionClose.Id));
        Assert.Equal("connection.close-ok", MethodNames.Of(ConnectionCloseOk.Id));
        Assert.Equal("connection.blocked", MethodNames.Of(ConnectionBlocked.Id));
        Assert.Equal("connection.unblocked", MethodNames.Of(ConnectionUnblocked.Id));
        Assert.Equal("connection.update-secret", MethodNames.Of(ConnectionUpdateSecret.Id));
        Assert.Equal("connection.update-secret-ok", MethodNames.Of(ConnectionUpdateSecretOk.Id));
        Assert.Equal("channel.open", MethodNames.Of(ChannelOpen.Id));
        Assert.Equal("channel.open-ok", MethodNames.Of(ChannelOpenOk.Id));
        Assert.Equal("channel.flow", MethodNames.Of(ChannelFlow.Id));
        Assert.Equal("channel.flow-ok", MethodNames.Of(ChannelFlowOk.Id));
        Assert.Equal("channel.close", MethodNames.Of(ChannelClose.Id));
        Assert.Equal("channel.close-ok", MethodNames.Of(ChannelCloseOk.Id));
        Assert.Equal("exchange.declare", MethodNames.Of(ExchangeDeclare.Id));
        Assert.Equal("exchange.declare-ok", MethodNames.Of(ExchangeDeclareOk.Id));
        Assert.Equal("exchange.delete", MethodNames.Of(ExchangeDelete.Id));
        Assert.Equal("exchange.delete-ok", MethodNames.Of(ExchangeDeleteOk.Id));
        Assert.Equal("exchange.bind", MethodNames.Of(ExchangeBind.Id));
        Assert.Equal("exchange.bind-ok", MethodNames.Of(ExchangeBindOk.Id));
        Assert.Equal("exchange.unbind", MethodNames.Of(ExchangeUnbind.Id));
        Assert.Equal("exchange.unbind-ok", MethodNames.Of(ExchangeUnbindOk.Id));
        Assert.Equal("queue.declare", MethodNames.Of(QueueDeclare.Id));
        Assert.Equal("queue.declare-ok", MethodNames.Of(QueueDeclareOk.Id));
        Assert.Equal("queue.bind", MethodNames.Of(QueueBind.Id));
        Assert.Equal("queue.bind-ok", MethodNames.Of(QueueBindOk.Id));
        Assert.Equal("queue.purge", MethodNames.Of(QueuePurge.Id));
        Assert.Equal("queue.purge-ok", MethodNames.Of(QueuePurgeOk.Id));
        Assert.Equal("queue.delete", MethodNames.Of(QueueDelete.Id));
        Assert.Equal("queue.delete-ok", MethodNames.Of(QueueDeleteOk.Id));
        Assert.Equal("queue.unbind", MethodNames.Of(QueueUnbind.Id));
        Assert.Equal("queue.unbind-ok", MethodNames.Of(QueueUnbindOk.Id));
        Assert.Equal("basic.qos", MethodNames.Of(BasicQos.Id));
        Assert.Equal("basic.qos-ok", MethodNames.Of(BasicQosOk.Id));
        Assert.Equal("basic.consume", MethodNames.Of(BasicConsume.Id));
        Assert.Equal("basic.consume-ok", MethodNames.Of(BasicConsumeOk.Id));
        Assert.Equal("basic.cancel", MethodNames.Of(BasicCancel.Id));
        Assert.Equal("basic.cancel-ok", MethodNames.Of(BasicCancelOk.Id));
        Assert.Equal("basic.publish", MethodNames.Of(BasicPublish.Id));
        Assert.Equal("basic.return", MethodNames.Of(BasicReturn.Id));
        Assert.Equal("basic.deliver", MethodNames.Of(BasicDeliver.Id));
        Assert.Equal("basic.get", MethodNames.Of(BasicGet.Id));
        Assert.Equal("basic.get-ok", MethodNames.Of(BasicGetOk.Id));
        Assert.Equal("basic.get-empty", MethodNames.Of(BasicGetEmpty.Id));
        Assert.Equal("basic.ack", MethodNames.Of(BasicAck.Id));
        Assert.Equal("basic.reject", MethodNames.Of(BasicReject.Id));
        Assert.Equal("basic.recover-async", MethodNames.Of(BasicRecoverAsync.Id));
        Assert.Equal("basic.recover", MethodNames.Of(BasicRecover.Id));
        Assert.Equal("basic.recover-ok", MethodNames.Of(BasicRecoverOk.Id));
        Assert.Equal("basic.nack", MethodNames.Of(BasicNack.Id));
        Assert.Equal("tx.select", MethodNames.Of(TxSelect.Id));
        Assert.Equal("tx.select-ok", MethodNames.Of(TxSelectOk.Id));
        Assert.Equal("tx.commit", MethodNames.Of(TxCommit.Id));
        Assert.Equal("tx.commit-ok", MethodNames.Of(TxCommitOk.Id));
        Assert.Equal("tx.rollback", MethodNames.Of(TxRollback.Id));
        Assert.Equal("tx.rollback-ok", MethodNames.Of(TxRollbackOk.Id));
        Assert.Equal("confirm.select", MethodNames.Of(ConfirmSelect.Id));
        Assert.Equal("confirm.select-ok", MethodNames.Of(ConfirmSelectOk.Id));
    }

    [Fact]
    public void Method_ids_put_the_class_id_in_the_high_16_bits()
    {
        Assert.Equal(((ushort)10, (ushort)10), (AmqpMethodId.ClassId(ConnectionStart.Id), AmqpMethodId.MethodIndex(ConnectionStart.Id)));
        Assert.Equal(((ushort)10, (ushort)11), (AmqpMethodId.ClassId(ConnectionStartOk.Id), AmqpMethodId.MethodIndex(ConnectionStartOk.Id)));
        Assert.Equal(((ushort)10, (ushort)20), (AmqpMethodId.ClassId(ConnectionSecure.Id), AmqpMethodId.MethodIndex(ConnectionSecure.Id)));
        Assert.Equal(((ushort)10, (ushort)21), (AmqpMethodId.ClassId(ConnectionSecureOk.Id), AmqpMethodId.MethodIndex(ConnectionSecureOk.Id)));
        Assert.Equal(((ushort)10, (ushort)30), (AmqpMethodId.ClassId(ConnectionTune.Id), AmqpMethodId.MethodIndex(ConnectionTune.Id)));
        Assert.Equal(((ushort)10, (ushort)31), (AmqpMethodId.ClassId(ConnectionTuneOk.Id), AmqpMethodId.MethodIndex(ConnectionTuneOk.Id)));
        Assert.Equal(((ushort)10, (ushort)40), (AmqpMethodId.ClassId(ConnectionOpen.Id), AmqpMethodId.MethodIndex(ConnectionOpen.Id)));
        Assert.Equal(((ushort)10, (ushort)41), (AmqpMethodId.ClassId(ConnectionOpenOk.Id), AmqpMethodId.MethodIndex(ConnectionOpenOk.Id)));
        Assert.Equal(((ushort)10, (ushort)50), (AmqpMethodId.ClassId(ConnectionClose.Id), AmqpMethodId.MethodIndex(ConnectionClose.Id)));
        Assert.Equal(((ushort)10, (ushort)51), (AmqpMethodId.ClassId(ConnectionCloseOk.Id), AmqpMethodId.MethodIndex(ConnectionCloseOk.Id)));
        Assert.Equal(((ushort)10, (ushort)60), (AmqpMethodId.ClassId(ConnectionBlocked.Id), AmqpMethodId.MethodIndex(ConnectionBlocked.Id)));
        Assert.Equal(((ushort)10, (ushort)61), (AmqpMethodId.ClassId(ConnectionUnblocked.Id), AmqpMethodId.MethodIndex(ConnectionUnblocked.Id)));
        Assert.Equal(((ushort)10, (ushort)70), (AmqpMethodId.ClassId(ConnectionUpdateSecret.Id), AmqpMethodId.MethodIndex(ConnectionUpdateSecret.Id)));
        Assert.Equal(((ushort)10, (ushort)71), (AmqpMethodId.ClassId(ConnectionUpdateSecretOk.Id), AmqpMethodId.MethodIndex(ConnectionUpdateSecretOk.Id)));
        Assert.Equal(((ushort)20, (ushort)10), (AmqpMethodId.ClassId(ChannelOpen.Id), AmqpMethodId.MethodIndex(ChannelOpen.Id)));
        Assert.Equal(((ushort)20, (ushort)11), (AmqpMethodId.ClassId(ChannelOpenOk.Id), AmqpMethodId.MethodIndex(ChannelOpenOk.Id)));
        Assert.Equal(((ushort)20, (ushort)20), (AmqpMethodId.ClassId(ChannelFlow.Id), AmqpMethodId.MethodIndex(ChannelFlow.Id)));
        Assert.Equal(((ushort)20, (ushort)21), (AmqpMethodId.ClassId(ChannelFlowOk.Id), AmqpMethodId.MethodIndex(ChannelFlowOk.Id)));
        Assert.Equal(((ushort)20, (ushort)40), (AmqpMethodId.ClassId(ChannelClose.Id), AmqpMethodId.MethodIndex(ChannelClose.Id)));
        Assert.Equal(((ushort)20, (ushort)41), (AmqpMethodId.ClassId(ChannelCloseOk.Id), AmqpMethodId.MethodIndex(ChannelCloseOk.Id)));
        Assert.Equal(((ushort)40, (ushort)10), (AmqpMethodId.ClassId(ExchangeDeclare.Id), AmqpMethodId.MethodIndex(ExchangeDeclare.Id)));
        Assert.Equal(((ushort)40, (ushort)11), (AmqpMethodId.ClassId(ExchangeDeclareOk.Id), AmqpMethodId.MethodIndex(ExchangeDeclareOk.Id)));
        Assert.Equal(((ushort)40, (ushort)20), (AmqpMethodId.ClassId(ExchangeDelete.Id), AmqpMethodId.MethodIndex(ExchangeDelete.Id)));
        Assert.Equal(((ushort)40, (ushort)21), (AmqpMethodId.ClassId(ExchangeDeleteOk.Id), AmqpMethodId.MethodIndex(ExchangeDeleteOk.Id)));
        Assert.Equal(((ushort)40, (ushort)30), (AmqpMethodId.ClassId(ExchangeBind.Id), AmqpMethodId.MethodIndex(ExchangeBind.Id)));
        Assert.Equal(((ushort)40, (ushort)31), (AmqpMethodId.ClassId(ExchangeBindOk.Id), AmqpMethodId.MethodIndex(ExchangeBindOk.Id)));
        Assert.Equal(((ushort)40, (ushort)40), (AmqpMethodId.ClassId(ExchangeUnbind.Id), AmqpMethodId.MethodIndex(ExchangeUnbind.Id)));
        Assert.Equal(((ushort)40, (ushort)51), (AmqpMethodId.ClassId(ExchangeUnbindOk.Id), AmqpMethodId.MethodIndex(ExchangeUnbindOk.Id)));
        Assert.Equal(((ushort)50, (ushort)10), (AmqpMethodId.ClassId(QueueDeclare.Id), AmqpMethodId.MethodIndex(QueueDeclare.Id)));
        Assert.Equal(((ushort)50, (ushort)11), (AmqpMethodId.ClassId(QueueDeclareOk.Id), AmqpMethodId.MethodIndex(QueueDeclareOk.Id)));
        Assert.Equal(((ushort)50, (ushort)20), (AmqpMethodId.ClassId(QueueBind.Id), AmqpMethodId.MethodIndex(QueueBind.Id)));
        Assert.Equal(((ushort)50, (ushort)21), (AmqpMethodId.ClassId(QueueBindOk.Id), AmqpMethodId.MethodIndex(QueueBindOk.Id)));
        Assert.Equal(((ushort)50, (ushort)30), (AmqpMethodId.ClassId(QueuePurge.Id), AmqpMethodId.MethodIndex(QueuePurge.Id)));
        Assert.Equal(((ushort)50, (ushort)31), (AmqpMethodId.ClassId(QueuePurgeOk.Id), AmqpMethodId.MethodIndex(QueuePurgeOk.Id)));
        Assert.Equal(((ushort)50, (ushort)40), (AmqpMethodId.ClassId(QueueDelete.Id), AmqpMethodId.MethodIndex(QueueDelete.Id)));
        Assert.Equal(((ushort)50, (ushort)41), (AmqpMethodId.ClassId(QueueDeleteOk.Id), AmqpMethodId.MethodIndex(QueueDeleteOk.Id)));
        Assert.Equal(((ushort)50, (ushort)50), (AmqpMethodId.ClassId(QueueUnbind.Id), AmqpMethodId.MethodIndex(QueueUnbind.Id)));
        Assert.Equal(((ushort)50, (ushort)51), (AmqpMethodId.ClassId(QueueUnbindOk.Id), AmqpMethodId.MethodIndex(QueueUnbindOk.Id)));
        Assert.Equal(((ushort)60, (ushort)10), (AmqpMethodId.ClassId(BasicQos.Id), AmqpMethodId.MethodIndex(BasicQos.Id)));
        Assert.Equal(((ushort)60, (ushort)11), (AmqpMethodId.ClassId(BasicQosOk.Id), AmqpMethodId.MethodIndex(BasicQosOk.Id)));
        Assert.Equal(((ushort)60, (ushort)20), (AmqpMethodId.ClassId(BasicConsume.Id), AmqpMethodId.MethodIndex(BasicConsume.Id)));
        Assert.Equal(((ushort)60, (ushort)21), (AmqpMethodId.ClassId(BasicConsumeOk.Id), AmqpMethodId.MethodIndex(BasicConsumeOk.Id)));
        Assert.Equal(((ushort)60, (ushort)30), (AmqpMethodId.ClassId(BasicCancel.Id), AmqpMethodId.MethodIndex(BasicCancel.Id)));
        Assert.Equal(((ushort)60, (ushort)31), (AmqpMethodId.ClassId(BasicCancelOk.Id), AmqpMethodId.MethodIndex(BasicCancelOk.Id)));
        Assert.Equal(((ushort)60, (ushort)40), (AmqpMethodId.ClassId(BasicPublish.Id), AmqpMethodId.MethodIndex(BasicPublish.Id)));
        Assert.Equal(((ushort)60, (ushort)50), (AmqpMethodId.ClassId(BasicReturn.Id), AmqpMethodId.MethodIndex(BasicReturn.Id)));
        Assert.Equal(((ushort)60, (ushort)60), (AmqpMethodId.ClassId(BasicDeliver.Id), AmqpMethodId.MethodIndex(BasicDeliver.Id)));
        Assert.Equal(((ushort)60, (ushort)70), (AmqpMethodId.ClassId(BasicGet.Id), AmqpMethodId.MethodIndex(BasicGet.Id)));
        Assert.Equal(((ushort)60, (ushort)71), (AmqpMethodId.ClassId(BasicGetOk.Id), AmqpMethodId.MethodIndex(BasicGetOk.Id)));
        Assert.Equal(((ushort)60, (ushort)72), (AmqpMethodId.ClassId(BasicGetEmpty.Id), AmqpMethodId.MethodIndex(BasicGetEmpty.Id)));
        Assert.Equal(((ushort)60, (ushort)80), (AmqpMethodId.ClassId(BasicAck.Id), AmqpMethodId.MethodIndex(BasicAck.Id)));
        Assert.Equal(((ushort)60, (ushort)90), (AmqpMethodId.ClassId(BasicReject.Id), AmqpMethodId.MethodIndex(BasicReject.Id)));
        Assert.Equal(((ushort)60, (ushort)100), (AmqpMethodId.ClassId(BasicRecoverAsync.Id), AmqpMethodId.MethodIndex(BasicRecoverAsync.Id)));
        Assert.Equal(((ushort)60, (ushort)110), (AmqpMethodId.ClassId(BasicRecover.Id), AmqpMethodId.MethodIndex(BasicRecover.Id)));
        Assert.Equal(((ushort)60, (ushort)111), (AmqpMethodId.ClassId(BasicRecoverOk.Id), AmqpMethodId.MethodIndex(BasicRecoverOk.Id)));
        Assert.Equal(((ushort)60, (ushort)120), (AmqpMethodId.ClassId(BasicNack.Id), AmqpMethodId.MethodIndex(BasicNack.Id)));
        Assert.Equal(((ushort)90, (ushort)10), (AmqpMethodId.ClassId(TxSelect.Id), AmqpMethodId.MethodIndex(TxSelect.Id)));
        Assert.Equal(((ushort)90, (ushort)11), (AmqpMethodId.ClassId(TxSelectOk.Id), AmqpMethodId.MethodIndex(TxSelectOk.Id)));
        Assert.Equal(((ushort)90, (ushort)20), (AmqpMethodId.ClassId(TxCommit.Id), AmqpMethodId.MethodIndex(TxCommit.Id)));
        Assert.Equal(((ushort)90, (ushort)21), (AmqpMethodId.ClassId(TxCommitOk.Id), AmqpMethodId.MethodIndex(TxCommitOk.Id)));
        Assert.Equal(((ushort)90, (ushort)30), (AmqpMethodId.ClassId(TxRollback.Id), AmqpMethodId.MethodIndex(TxRollback.Id)));
        Assert.Equal(((ushort)90, (ushort)31), (AmqpMethodId.ClassId(TxRollbackOk.Id), AmqpMethodId.MethodIndex(TxRollbackOk.Id)));
        Assert.Equal(((ushort)85, (ushort)10), (AmqpMethodId.ClassId(ConfirmSelect.Id), AmqpMethodId.MethodIndex(ConfirmSelect.Id)));
        Assert.Equal(((ushort)85, (ushort)11), (AmqpMethodId.ClassId(ConfirmSelectOk.Id), AmqpMethodId.MethodIndex(ConfirmSelectOk.Id)));
    }
}
