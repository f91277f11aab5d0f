using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Exchanges;
using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

internal sealed partial class AmqpChannel
{
    private void OnExchangeDeclare(ExchangeDeclare declare)
    {
        VirtualHost.DeclareExchange(declare.Exchange, declare.Type,
            new ExchangeSettings(declare.Durable, declare.AutoDelete, declare.Internal, declare.Arguments), declare.Passive);
        if (!declare.NoWait) Send(new ExchangeDeclareOk());
    }

    private void OnExchangeDelete(ExchangeDelete delete)
    {
        VirtualHost.DeleteExchange(delete.Exchange, delete.IfUnused);
        if (!delete.NoWait) Send(new ExchangeDeleteOk());
    }

    private void OnExchangeBind(ExchangeBind bind)
    {
        VirtualHost.BindExchange(bind.Destination, bind.Source, bind.RoutingKey, bind.Arguments);
        if (!bind.NoWait) Send(new ExchangeBindOk());
    }

    private void OnExchangeUnbind(ExchangeUnbind unbind)
    {
        VirtualHost.UnbindExchange(unbind.Destination, unbind.Source, unbind.RoutingKey, unbind.Arguments);
        if (!unbind.NoWait) Send(new ExchangeUnbindOk());
    }

    private void OnQueueDeclare(QueueDeclare declare)
    {
        if (declare.Passive && declare.Queue == DirectReplyTo.PseudoQueue)
        {
            // The pseudo-queue always "exists" (RabbitMQ answers a passive declare of it).
            if (!declare.NoWait) Send(new QueueDeclareOk(declare.Queue, 0, 1));
            return;
        }
        var declared = VirtualHost.DeclareQueue(declare.Queue,
            new QueueSettings(declare.Durable, declare.Exclusive, declare.AutoDelete, declare.Arguments), declare.Passive, Owner);
        if (declare.Exclusive && !declare.Passive) _connection.TrackExclusiveQueue(declared.Queue);
        _lastQueueName = declared.Queue.Name;
        if (!declare.NoWait) Send(new QueueDeclareOk(declared.Queue.Name, (uint)declared.MessageCount, (uint)declared.ConsumerCount));
    }

    private void OnQueueBind(QueueBind bind)
    {
        VirtualHost.BindQueue(ResolveQueueName(bind.Queue, QueueBind.Id), bind.Exchange, bind.RoutingKey, bind.Arguments, Owner);
        if (!bind.NoWait) Send(new QueueBindOk());
    }

    private void OnQueueUnbind(QueueUnbind unbind)
    {
        VirtualHost.UnbindQueue(ResolveQueueName(unbind.Queue, QueueUnbind.Id), unbind.Exchange, unbind.RoutingKey, unbind.Arguments, Owner);
        Send(new QueueUnbindOk());
    }

    private void OnQueuePurge(QueuePurge purge)
    {
        var count = VirtualHost.PurgeQueue(ResolveQueueName(purge.Queue, QueuePurge.Id), Owner);
        if (!purge.NoWait) Send(new QueuePurgeOk((uint)count));
    }

    private void OnQueueDelete(QueueDelete delete)
    {
        var count = VirtualHost.DeleteQueue(ResolveQueueName(delete.Queue, QueueDelete.Id), delete.IfUnused, delete.IfEmpty, Owner);
        if (!delete.NoWait) Send(new QueueDeleteOk((uint)count));
    }

    // The last queue declared on the channel, used when a method names the queue "" (AMQP 0-9-1).
    private string? _lastQueueName;

    private string ResolveQueueName(string name, uint methodId)
    {
        if (name.Length > 0) return name;
        return _lastQueueName ?? throw AmqpException.Channel(ReplyCode.NotFound, "no previously declared queue", methodId);
    }
}
