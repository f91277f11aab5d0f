namespace Warren.Amqp.Protocol;

/// <summary>RabbitMQ-style method names ("queue.declare") for logs and reply texts.</summary>
public static class MethodNames
{
    /// <summary>The dotted name of a method id; "unknown method (c, m)" for ids outside the protocol.</summary>
    public static string Of(uint methodId) => methodId switch
    {
        ConnectionStart.Id => "connection.start",
        ConnectionStartOk.Id => "connection.start-ok",
        ConnectionSecure.Id => "connection.secure",
        ConnectionSecureOk.Id => "connection.secure-ok",
        ConnectionTune.Id => "connection.tune",
        ConnectionTuneOk.Id => "connection.tune-ok",
        ConnectionOpen.Id => "connection.open",
        ConnectionOpenOk.Id => "connection.open-ok",
        ConnectionClose.Id => "connection.close",
        ConnectionCloseOk.Id => "connection.close-ok",
        ConnectionBlocked.Id => "connection.blocked",
        ConnectionUnblocked.Id => "connection.unblocked",
        ConnectionUpdateSecret.Id => "connection.update-secret",
        ConnectionUpdateSecretOk.Id => "connection.update-secret-ok",
        ChannelOpen.Id => "channel.open",
        ChannelOpenOk.Id => "channel.open-ok",
        ChannelFlow.Id => "channel.flow",
        ChannelFlowOk.Id => "channel.flow-ok",
        ChannelClose.Id => "channel.close",
        ChannelCloseOk.Id => "channel.close-ok",
        ExchangeDeclare.Id => "exchange.declare",
        ExchangeDeclareOk.Id => "exchange.declare-ok",
        ExchangeDelete.Id => "exchange.delete",
        ExchangeDeleteOk.Id => "exchange.delete-ok",
        ExchangeBind.Id => "exchange.bind",
        ExchangeBindOk.Id => "exchange.bind-ok",
        ExchangeUnbind.Id => "exchange.unbind",
        ExchangeUnbindOk.Id => "exchange.unbind-ok",
        QueueDeclare.Id => "queue.declare",
        QueueDeclareOk.Id => "queue.declare-ok",
        QueueBind.Id => "queue.bind",
        QueueBindOk.Id => "queue.bind-ok",
        QueuePurge.Id => "queue.purge",
        QueuePurgeOk.Id => "queue.purge-ok",
        QueueDelete.Id => "queue.delete",
        QueueDeleteOk.Id => "queue.delete-ok",
        QueueUnbind.Id => "queue.unbind",
        QueueUnbindOk.Id => "queue.unbind-ok",
        BasicQos.Id => "basic.qos",
        BasicQosOk.Id => "basic.qos-ok",
        BasicConsume.Id => "basic.consume",
        BasicConsumeOk.Id => "basic.consume-ok",
        BasicCancel.Id => "basic.cancel",
        BasicCancelOk.Id => "basic.cancel-ok",
        BasicPublish.Id => "basic.publish",
        BasicReturn.Id => "basic.return",
        BasicDeliver.Id => "basic.deliver",
        BasicGet.Id => "basic.get",
        BasicGetOk.Id => "basic.get-ok",
        BasicGetEmpty.Id => "basic.get-empty",
        BasicAck.Id => "basic.ack",
        BasicReject.Id => "basic.reject",
        BasicRecoverAsync.Id => "basic.recover-async",
        BasicRecover.Id => "basic.recover",
        BasicRecoverOk.Id => "basic.recover-ok",
        BasicNack.Id => "basic.nack",
        TxSelect.Id => "tx.select",
        TxSelectOk.Id => "tx.select-ok",
        TxCommit.Id => "tx.commit",
        TxCommitOk.Id => "tx.commit-ok",
        TxRollback.Id => "tx.rollback",
        TxRollbackOk.Id => "tx.rollback-ok",
        ConfirmSelect.Id => "confirm.select",
        ConfirmSelectOk.Id => "confirm.select-ok",
        _ => $"unknown method ({AmqpMethodId.ClassId(methodId)}, {AmqpMethodId.MethodIndex(methodId)})",
    };

    /// <summary>True for the ids of the methods this codec knows.</summary>
    public static bool IsKnown(uint methodId) => methodId switch
    {
        ConnectionStart.Id or ConnectionStartOk.Id or ConnectionSecure.Id or ConnectionSecureOk.Id or
        ConnectionTune.Id or ConnectionTuneOk.Id or ConnectionOpen.Id or ConnectionOpenOk.Id or
        ConnectionClose.Id or ConnectionCloseOk.Id or ConnectionBlocked.Id or ConnectionUnblocked.Id or
        ConnectionUpdateSecret.Id or ConnectionUpdateSecretOk.Id or ChannelOpen.Id or ChannelOpenOk.Id or
        ChannelFlow.Id or ChannelFlowOk.Id or ChannelClose.Id or ChannelCloseOk.Id or
        ExchangeDeclare.Id or ExchangeDeclareOk.Id or ExchangeDelete.Id or ExchangeDeleteOk.Id or
        ExchangeBind.Id or ExchangeBindOk.Id or ExchangeUnbind.Id or ExchangeUnbindOk.Id or
        QueueDeclare.Id or QueueDeclareOk.Id or QueueBind.Id or QueueBindOk.Id or
        QueuePurge.Id or QueuePurgeOk.Id or QueueDelete.Id or QueueDeleteOk.Id or
        QueueUnbind.Id or QueueUnbindOk.Id or BasicQos.Id or BasicQosOk.Id or
        BasicConsume.Id or BasicConsumeOk.Id or BasicCancel.Id or BasicCancelOk.Id or
        BasicPublish.Id or BasicReturn.Id or BasicDeliver.Id or BasicGet.Id or
        BasicGetOk.Id or BasicGetEmpty.Id or BasicAck.Id or BasicReject.Id or
        BasicRecoverAsync.Id or BasicRecover.Id or BasicRecoverOk.Id or BasicNack.Id or
        TxSelect.Id or TxSelectOk.Id or TxCommit.Id or TxCommitOk.Id or
        TxRollback.Id or TxRollbackOk.Id or ConfirmSelect.Id or ConfirmSelectOk.Id => true,
        _ => false,
    };
}
