using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

internal sealed partial class AmqpChannel
{
    // Scratch list for settling; only the read loop settles, so one list per channel suffices.
    private readonly List<Unacked> _settling = new();

    /// <summary>How settled deliveries leave the channel.</summary>
    internal enum Outcome { Ack, Reject, Requeue }

    private void OnAck(BasicAck ack) => Settle(ack.DeliveryTag, ack.Multiple, Outcome.Ack, BasicAck.Id);

    private void OnNack(BasicNack nack) => Settle(nack.DeliveryTag, nack.Multiple, nack.Requeue ? Outcome.Requeue : Outcome.Reject, BasicNack.Id);

    private void OnReject(BasicReject reject) => Settle(reject.DeliveryTag, multiple: false, reject.Requeue ? Outcome.Requeue : Outcome.Reject, BasicReject.Id);

    private void OnRecover(bool requeue, bool reply)
    {
        // RabbitMQ only implements recover with requeue.
        if (!requeue) throw AmqpException.Connection(ReplyCode.NotImplemented, "requeue=false", reply ? BasicRecover.Id : BasicRecoverAsync.Id);
        RequeueAllUnacked();
        if (reply) Send(new BasicRecoverOk());
    }

    private void Settle(ulong tag, bool multiple, Outcome outcome, uint methodId)
    {
        // In a transaction the deliveries leave the unacked set now (so the tag is checked now, as
        // RabbitMQ does) but are settled only at commit, or put back at rollback.
        var settling = _txMode ? new List<Unacked>() : _settling;
        List<AmqpConsumer>? resume;
        lock (_deliveryLock)
        {
            var found = multiple ? RemoveUpTo(tag, settling) : _unacked.TryRemove(tag, settling);
            if (!found)
            {
                throw AmqpException.Channel(ReplyCode.PreconditionFailed, $"unknown delivery tag {tag}", methodId);
            }
            if (_txMode)
            {
                (_txSettles ??= new()).Add((settling, outcome));
                return;
            }
            resume = CreditConsumersLocked(settling);
            if (outcome == Outcome.Ack) Stats.Ack += settling.Count;
        }
        try
        {
            FinishSettling(settling, outcome);
        }
        finally
        {
            settling.Clear();
        }
        ResumeConsumers(resume);
    }

    /// <summary>Settles deliveries taken out of the unacked set earlier (at a transaction's commit).</summary>
    private void SettleTaken(List<Unacked> taken, Outcome outcome)
    {
        List<AmqpConsumer>? resume;
        lock (_deliveryLock) resume = CreditConsumersLocked(taken);
        FinishSettling(taken, outcome);
        ResumeConsumers(resume);
    }

    private bool RemoveUpTo(ulong tag, List<Unacked> settling)
    {
        _unacked.RemoveUpTo(tag, settling);
        return settling.Count > 0 || tag == 0;
    }

    // Gives back the prefetch credit of settled deliveries; returns the consumers that may now take more.
    private List<AmqpConsumer>? CreditConsumersLocked(List<Unacked> settled)
    {
        var anyConsumerCredit = false;
        foreach (var delivery in settled)
        {
            if (delivery.Consumer is not { } consumer) continue;
            consumer.Unacked--;
            _channelUnacked--;
            anyConsumerCredit = true;
        }
        if (!anyConsumerCredit) return null;
        if (_blockedOnChannelLimit) return TakeBlockedConsumersLocked();
        List<AmqpConsumer>? resume = null;
        foreach (var delivery in settled)
        {
            if (delivery.Consumer is not { Blocked: true } consumer) continue;
            consumer.Blocked = false;
            (resume ??= new()).Add(consumer);
        }
        return resume;
    }

    // Outside the channel's lock: hands settled deliveries back to their queues.
    private static void FinishSettling(List<Unacked> settled, Outcome outcome)
    {
        if (outcome == Outcome.Ack)
        {
            AckRuns(settled);
            return;
        }
        if (outcome == Outcome.Reject)
        {
            foreach (var delivery in settled) delivery.Queue.Reject(delivery.Entry);
            return;
        }
        // Requeue per queue, in delivery order, so each queue restores its own order.
        var byQueue = new Dictionary<Queue, List<QueueEntry>>();
        foreach (var delivery in settled)
        {
            if (!byQueue.TryGetValue(delivery.Queue, out var entries)) byQueue.Add(delivery.Queue, entries = new List<QueueEntry>());
            entries.Add(delivery.Entry);
        }
        foreach (var (queue, entries) in byQueue) queue.Requeue(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entries));
    }

    // Acknowledges per run of deliveries from the same queue, so a multiple ack takes each queue's lock once.
    private static void AckRuns(List<Unacked> settled)
    {
        if (settled.Count == 1)
        {
            settled[0].Queue.Settle(settled[0].Entry);
            return;
        }
        var entries = System.Buffers.ArrayPool<QueueEntry>.Shared.Rent(settled.Count);
        try
        {
            for (var i = 0; i < settled.Count; i++) entries[i] = settled[i].Entry;
            var start = 0;
            while (start < settled.Count)
            {
                var queue = settled[start].Queue;
                var end = start + 1;
                while (end < settled.Count && ReferenceEquals(settled[end].Queue, queue)) end++;
                queue.Settle(entries.AsSpan(start, end - start));
                start = end;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<QueueEntry>.Shared.Return(entries, clearArray: true);
        }
    }

    private void RequeueAllUnacked()
    {
        var settling = new List<Unacked>();
        lock (_deliveryLock)
        {
            _unacked.RemoveUpTo(0, settling);
            if (settling.Count == 0) return;
            CreditConsumersLocked(settling);
        }
        FinishSettling(settling, Outcome.Requeue);
    }
}
