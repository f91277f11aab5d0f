using Warren.Broker.Messages;
using Warren.Amqp.Connections;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker;
using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

internal sealed partial class AmqpChannel
{
    // Guards delivery tags, unacked deliveries, prefetch counters and the consumer table:
    // deliveries arrive from any publisher's thread while this channel's methods run on the read loop.
    private readonly object _deliveryLock = new();
    private readonly Dictionary<string, AmqpConsumer> _consumers = new();
    private readonly UnackedDeliveries _unacked = new();
    private ulong _lastDeliveryTag;
    private ushort _consumerPrefetch;  // basic.qos global=false: for consumers created afterwards
    private ushort _channelPrefetch;   // basic.qos global=true: shared by the channel's consumers
    private int _channelUnacked;       // consumer deliveries counted against _channelPrefetch
    private bool _blockedOnChannelLimit;

    private void OnQos(BasicQos qos)
    {
        if (qos.PrefetchSize != 0)
        {
            throw AmqpException.Connection(ReplyCode.NotImplemented, $"prefetch_size!=0 ({qos.PrefetchSize})", BasicQos.Id);
        }
        List<AmqpConsumer>? resume = null;
        lock (_deliveryLock)
        {
            // RabbitMQ's reading of the global flag: false limits each consumer, true the whole channel.
            if (qos.Global)
            {
                var raised = qos.PrefetchCount == 0 || qos.PrefetchCount > _channelPrefetch;
                _channelPrefetch = qos.PrefetchCount;
                if (raised && _blockedOnChannelLimit) resume = TakeBlockedConsumersLocked();
            }
            else
            {
                _consumerPrefetch = qos.PrefetchCount;
            }
        }
        Send(new BasicQosOk());
        ResumeConsumers(resume);
    }

    private void OnConsume(BasicConsume consume)
    {
        Broker.Queues.Queue queue;
        if (consume.Queue == DirectReplyTo.PseudoQueue) queue = OpenDirectReplyQueue(consume);
        else
        {
            var name = ResolveQueueName(consume.Queue, BasicConsume.Id);
            CheckRead(Broker.Security.ResourceKind.Queue, name);
            queue = VirtualHost.GetQueue(name, Owner);
        }
        var tag = consume.ConsumerTag.Length > 0 ? consume.ConsumerTag : Broker.VirtualHosts.VirtualHost.GenerateName("amq.ctag-");
        AmqpConsumer consumer;
        lock (_deliveryLock)
        {
            if (_consumers.ContainsKey(tag))
            {
                throw AmqpException.Connection(ReplyCode.NotAllowed, $"attempt to reuse consumer tag '{tag}'", BasicConsume.Id);
            }
            consumer = new AmqpConsumer(this, tag, consume.NoAck, consume.Exclusive, _consumerPrefetch, ConsumerPriority(consume.Arguments, queue), consume.Arguments);
            _consumers.Add(tag, consumer);
        }
        try
        {
            // consume-ok goes out once the queue accepted the consumer and before its first delivery.
            queue.AddConsumer(consumer, consume.NoWait ? null : static c => ((AmqpConsumer)c).Channel.Send(new BasicConsumeOk(c.Tag)));
        }
        catch (BrokerException)
        {
            lock (_deliveryLock) _consumers.Remove(tag);
            throw;
        }
    }

    // x-priority: an integer; RabbitMQ refuses other types.
    private static int ConsumerPriority(Dictionary<string, object?>? arguments, Broker.Queues.Queue queue)
    {
        if (arguments is null || !arguments.TryGetValue("x-priority", out var value)) return 0;
        if (!Broker.Messages.FieldValues.TryGetInteger(value, out var priority))
        {
            throw AmqpException.Channel(ReplyCode.PreconditionFailed,
                $"invalid arg 'x-priority' for queue '{queue.Name}' in vhost '{queue.VirtualHostName}': \"expected integer, got {Broker.Messages.FieldValues.TypeName(value)}\"", BasicConsume.Id);
        }
        return (int)Math.Clamp(priority, int.MinValue, int.MaxValue);
    }

    private void OnCancel(BasicCancel cancel)
    {
        AmqpConsumer? consumer;
        lock (_deliveryLock)
        {
            if (_consumers.Remove(cancel.ConsumerTag, out consumer)) consumer.Blocked = false;
        }
        // An unknown tag is answered with cancel-ok all the same (RabbitMQ).
        if (consumer is not null) DetachConsumer(consumer);
        if (!cancel.NoWait) Send(new BasicCancelOk(cancel.ConsumerTag));
    }

    private void DetachConsumer(AmqpConsumer consumer)
    {
        var queue = consumer.Queue;
        if (queue is not null && queue.RemoveConsumer(consumer))
        {
            VirtualHost.DeleteQueue(queue);
        }
    }

    private void CancelAllConsumers()
    {
        AmqpConsumer[] consumers;
        lock (_deliveryLock)
        {
            if (_consumers.Count == 0) return;
            consumers = [.. _consumers.Values];
            _consumers.Clear();
        }
        foreach (var consumer in consumers) DetachConsumer(consumer);
    }

    /// <summary>The queue of <paramref name="consumer"/> was deleted: tell the client if it understands basic.cancel from the server.</summary>
    internal void OnConsumerCancelledByBroker(AmqpConsumer consumer)
    {
        bool removed;
        lock (_deliveryLock) removed = _consumers.Remove(consumer.Tag);
        if (removed && _connection.ClientWantsCancelNotifications && !IsClosing) Send(new BasicCancel(consumer.Tag, NoWait: true));
    }

    private void OnGet(BasicGet get)
    {
        var name = ResolveQueueName(get.Queue, BasicGet.Id);
        CheckRead(Broker.Security.ResourceKind.Queue, name);
        var queue = VirtualHost.GetQueue(name, Owner);
        if (!queue.TryGet(get.NoAck, out var entry, out var remaining))
        {
            Stats.GetEmpty++;
            Send(new BasicGetEmpty());
            return;
        }
        if (get.NoAck) Stats.GetNoAck++;
        else Stats.Get++;
        if (entry.Redelivered) Stats.Redeliver++;
        var output = _connection.Output;
        lock (_deliveryLock)
        {
            // Written before anything is recorded: a message that cannot be sent leaves no unacked entry behind.
            var tag = _lastDeliveryTag + 1;
            lock (output.Sync)
            {
                var message = entry.Message;
                WriteMessage(new BasicGetOk(tag, entry.Redelivered, message.Exchange, message.RoutingKey, (uint)remaining), message);
            }
            _lastDeliveryTag = tag;
            if (!get.NoAck) _unacked.Add(tag, queue, entry, consumer: null);
        }
        output.Signal();
    }

    /// <summary>Called by a queue, under its lock, to hand a message to <paramref name="consumer"/>.</summary>
    internal bool TryDeliver(AmqpConsumer consumer, in QueueEntry entry)
    {
        var output = _connection.Output;
        lock (_deliveryLock)
        {
            if (IsClosing || !_consumers.ContainsKey(consumer.Tag)) return false;
            // Every consumer, acking or not, whatever its prefetch, stops at a congested output.
            // The flag is set before the second look, so the writer draining in between either
            // sees it (and resumes the consumer) or has already made the output uncongested.
            if (output.IsCongested)
            {
                consumer.BlockedOnOutput = true;
                _connection.NoteOutputBlocked();
                if (output.IsCongested) return false;
                consumer.BlockedOnOutput = false;
            }
            if (!consumer.NoAck)
            {
                if (consumer.PrefetchLimit != 0 && consumer.Unacked >= consumer.PrefetchLimit)
                {
                    consumer.Blocked = true;
                    return false;
                }
                if (_channelPrefetch != 0 && _channelUnacked >= _channelPrefetch)
                {
                    consumer.Blocked = true;
                    _blockedOnChannelLimit = true;
                    return false;
                }
            }
            // Written before anything is recorded: a message that cannot be sent throws with no
            // unacked entry and no count left behind, so it cannot multiply on requeue (issue 10, defect 2).
            var tag = _lastDeliveryTag + 1;
            var message = entry.Message;
            lock (output.Sync)
            {
                WriteMessage(new BasicDeliver(consumer.Tag, tag, entry.Redelivered, message.Exchange, message.RoutingKey), message);
            }
            _lastDeliveryTag = tag;
            if (!consumer.NoAck)
            {
                consumer.Unacked++;
                _channelUnacked++;
                _unacked.Add(tag, consumer.Queue, entry, consumer);
            }
            if (consumer.NoAck) Stats.DeliverNoAck++;
            else Stats.Deliver++;
            if (entry.Redelivered) Stats.Redeliver++;
        }
        output.Signal();
        return true;
    }

    /// <summary>The queue detached <paramref name="consumer"/> because a delivery to it threw; called under the queue's lock.</summary>
    internal void OnDeliveryFailed(AmqpConsumer consumer, Exception error)
    {
        lock (_deliveryLock) _consumers.Remove(consumer.Tag);
        _connection.OnDeliveryFailed(consumer.Tag, error);
    }

    /// <summary>After output congestion cleared: resume the consumers that waited for it.</summary>
    internal void ResumeOutputBlockedConsumers()
    {
        List<AmqpConsumer>? resume = null;
        lock (_deliveryLock)
        {
            foreach (var consumer in _consumers.Values)
            {
                if (!consumer.BlockedOnOutput) continue;
                consumer.BlockedOnOutput = false;
                (resume ??= new()).Add(consumer);
            }
        }
        ResumeConsumers(resume);
    }

    private List<AmqpConsumer>? TakeBlockedConsumersLocked()
    {
        _blockedOnChannelLimit = false;
        List<AmqpConsumer>? blocked = null;
        foreach (var consumer in _consumers.Values)
        {
            if (!consumer.Blocked) continue;
            consumer.Blocked = false;
            (blocked ??= new()).Add(consumer);
        }
        return blocked;
    }

    private static void ResumeConsumers(List<AmqpConsumer>? consumers)
    {
        if (consumers is null) return;
        foreach (var consumer in consumers) consumer.Queue.ResumeDispatch();
    }
}
