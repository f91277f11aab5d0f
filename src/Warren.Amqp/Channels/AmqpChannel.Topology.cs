using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Warren.Broker.Security;

namespace Warren.Amqp.Channels;

internal sealed partial class AmqpChannel
{
    private void OnExchangeDeclare(ExchangeDeclare declare)
    {
        // A passive declare needs no permission (RabbitMQ); an alternate exchange needs read on
        // the new exchange and write on the alternate.
        if (!declare.Passive && declare.Exchange.Length > 0)
        {
            CheckConfigure(ResourceKind.Exchange, declare.Exchange);
            if (declare.Arguments is { } arguments && arguments.TryGetValue("alternate-exchange", out var alternate)
                && Broker.Messages.FieldValues.TryGetString(alternate, out var alternateName))
            {
                CheckRead(ResourceKind.Exchange, declare.Exchange);
                CheckWrite(ResourceKind.Exchange, PermissionName(alternateName));
            }
        }
        VirtualHost.DeclareExchange(declare.Exchange, declare.Type,
            new ExchangeSettings(declare.Durable, declare.AutoDelete, declare.Internal, declare.Arguments), declare.Passive);
        if (!declare.NoWait) Send(new ExchangeDeclareOk());
    }

    private void OnExchangeDelete(ExchangeDelete delete)
    {
        if (delete.Exchange.Length > 0) CheckConfigure(ResourceKind.Exchange, delete.Exchange);
        VirtualHost.DeleteExchange(delete.Exchange, delete.IfUnused);
        if (!delete.NoWait) Send(new ExchangeDeleteOk());
    }

    private void OnExchangeBind(ExchangeBind bind)
    {
        CheckBinding(ResourceKind.Exchange, PermissionName(bind.Destination), bind.Source, bind.RoutingKey);
        VirtualHost.BindExchange(bind.Destination, bind.Source, bind.RoutingKey, bind.Arguments);
        if (!bind.NoWait) Send(new ExchangeBindOk());
    }

    private void OnExchangeUnbind(ExchangeUnbind unbind)
    {
        CheckBinding(ResourceKind.Exchange, PermissionName(unbind.Destination), unbind.Source, unbind.RoutingKey);
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
        var name = declare.Queue;
        var serverNamed = false;
        if (!declare.Passive)
        {
            // A server-named queue gets its name first: the configure permission is checked on it (RabbitMQ).
            if (name.Length == 0)
            {
                name = Broker.VirtualHosts.VirtualHost.GenerateName("amq.gen-");
                serverNamed = true;
            }
            CheckConfigure(ResourceKind.Queue, name);
            if (declare.Arguments is { } arguments && arguments.TryGetValue("x-dead-letter-exchange", out var deadLetter)
                && Broker.Messages.FieldValues.TryGetString(deadLetter, out var deadLetterExchange))
            {
                // Dead-lettering reads the queue and writes to the exchange (RabbitMQ's check_dlx).
                CheckRead(ResourceKind.Queue, name);
                CheckWrite(ResourceKind.Exchange, PermissionName(deadLetterExchange));
            }
        }
        var declared = VirtualHost.DeclareQueue(name,
            new QueueSettings(declare.Durable, declare.Exclusive, declare.AutoDelete, declare.Arguments), declare.Passive, Owner, serverNamed);
        if (declare.Exclusive && !declare.Passive) _connection.TrackExclusiveQueue(declared.Queue);
        _lastQueueName = declared.Queue.Name;
        if (!declare.NoWait) Send(new QueueDeclareOk(declared.Queue.Name, (uint)declared.MessageCount, (uint)declared.ConsumerCount));
    }

    private void OnQueueBind(QueueBind bind)
    {
        var queue = ResolveQueueName(bind.Queue, QueueBind.Id);
        CheckBinding(ResourceKind.Queue, queue, bind.Exchange, bind.RoutingKey);
        VirtualHost.BindQueue(queue, bind.Exchange, bind.RoutingKey, bind.Arguments, Owner);
        if (!bind.NoWait) Send(new QueueBindOk());
    }

    private void OnQueueUnbind(QueueUnbind unbind)
    {
        var queue = ResolveQueueName(unbind.Queue, QueueUnbind.Id);
        CheckBinding(ResourceKind.Queue, queue, unbind.Exchange, unbind.RoutingKey);
        VirtualHost.UnbindQueue(queue, unbind.Exchange, unbind.RoutingKey, unbind.Arguments, Owner);
        Send(new QueueUnbindOk());
    }

    private void OnQueuePurge(QueuePurge purge)
    {
        var queue = ResolveQueueName(purge.Queue, QueuePurge.Id);
        CheckRead(ResourceKind.Queue, queue);
        var count = VirtualHost.PurgeQueue(queue, Owner);
        if (!purge.NoWait) Send(new QueuePurgeOk((uint)count));
    }

    private void OnQueueDelete(QueueDelete delete)
    {
        var queue = ResolveQueueName(delete.Queue, QueueDelete.Id);
        CheckConfigure(ResourceKind.Queue, queue);
        var count = VirtualHost.DeleteQueue(queue, delete.IfUnused, delete.IfEmpty, Owner);
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
