using Warren.Broker.Consumers;
using Warren.Broker.Messages;
using Warren.Broker.Routing;
using Warren.Broker.Statistics;
using Warren.Broker.Storage;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker.Queues;

/// <summary>How a queue was declared.</summary>
/// <param name="Durable">Survives a restart.</param>
/// <param name="Exclusive">Owned by the declaring connection; deleted when it closes.</param>
/// <param name="AutoDelete">Deleted when its last consumer leaves.</param>
/// <param name="Arguments">Declared arguments (x-message-ttl, …).</param>
public sealed record QueueSettings(bool Durable, bool Exclusive, bool AutoDelete, IReadOnlyDictionary<string, object?>? Arguments);

/// <summary>What became of one message offered to a queue.</summary>
/// <param name="Ticket">The storage ticket that makes it durable (0: nothing to wait for).</param>
/// <param name="Rejected">The queue was full and refused it (x-overflow reject-publish).</param>
/// <param name="Congested">Its consumers fall behind: the publisher should slow down (see <see cref="Queue.WhenDrainedAsync"/>).</param>
public readonly record struct EnqueueResult(long Ticket, bool Rejected, bool Congested = false);

/// <summary>
/// A queue of messages with competing consumers served round-robin (by consumer priority first),
/// with RabbitMQ's queue arguments: TTL, dead-lettering, length limits, priorities, single active
/// consumer, delivery limit. Thread-safe: publishers, consumers and acknowledgements may come from any thread.
/// </summary>
/// <remarks>
/// Lock order: a queue's lock may be held while a consumer takes its own (channel) locks in
/// <see cref="Consumer.TryDeliver"/>; a consumer never calls into a queue while holding its locks.
/// Dead letters are published after the queue's lock is released, so queues never nest locks.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Its timers end with the queue: deletion and shutdown stop them.")]
public sealed partial class Queue : Destination
{
    private readonly object _sync = new();
    private readonly ReadyMessages _ready;
    private readonly List<Consumer> _consumers = new();
    private readonly QueueStore? _store;
    private int _nextConsumer;
    private long _nextSequence;
    private int _unacked;
    private bool _hadConsumer;
    private long _readyBytes;
    // Ready messages held in memory; past the store's limits new persistent messages are paged out.
    private int _loadedCount;
    private long _loadedBytes;

    internal Queue(string name, VirtualHost host, QueueSettings settings, QueueArguments arguments, object? owner, QueueStore? store = null) : base(name)
    {
        Host = host;
        Settings = settings;
        Arguments = arguments;
        Owner = owner;
        _store = store;
        _ready = new ReadyMessages(arguments.MaxPriority);
        if (arguments.Expires is not null) TouchForExpiry();
    }

    /// <summary>How it was declared.</summary>
    public QueueSettings Settings { get; }

    /// <summary>The x-arguments it runs with: the declared ones validated, combined with its policies (see <see cref="PolicyName"/>).</summary>
    public QueueArguments Arguments { get; private set; }

    internal VirtualHost Host { get; }

    /// <summary>The name of its virtual host.</summary>
    public string VirtualHostName => Host.Name;

    /// <summary>The owning connection of an exclusive queue (an opaque identity), else null.</summary>
    public object? Owner { get; }

    /// <summary>True once deleted; a deleted queue accepts and delivers nothing.</summary>
    public bool IsDeleted { get; private set; }

    /// <summary>True when persistent messages on this queue are written to disk.</summary>
    public bool IsPersistent => _store is not null;

    /// <summary>Messages ready for delivery (not counting those delivered and awaiting acknowledgement).</summary>
    public int MessageCount { get { lock (_sync) return _ready.Count; } }

    /// <summary>Messages delivered and not yet acknowledged.</summary>
    public int UnackedCount { get { lock (_sync) return _unacked; } }

    /// <summary>Active consumers.</summary>
    public int ConsumerCount { get { lock (_sync) return _consumers.Count; } }

    /// <summary>The consumers (a snapshot), highest priority first.</summary>
    public IReadOnlyList<Consumer> Consumers { get { lock (_sync) return [.. _consumers]; } }

    /// <summary>Body bytes of the ready messages.</summary>
    public long MessageBytesReady { get { lock (_sync) return _readyBytes; } }

    /// <summary>Its message counts; every field is written under the queue's lock.</summary>
    public MessageCounters Stats { get; } = new();

    /// <summary>Puts messages recovered from disk back, in order, before the queue is used.</summary>
    internal void Restore(List<RecoveredMessage> recovered, long nextSequence)
    {
        lock (_sync)
        {
            _nextSequence = Math.Max(_nextSequence, nextSequence);
            foreach (var message in recovered)
            {
                var entry = new QueueEntry(message.Message!, message.Sequence, Redelivered: message.Delivered)
                {
                    Location = message.Location,
                    Size = message.Message?.Body.Length ?? message.Size,
                };
                AddReady(entry);
                _nextSequence = Math.Max(_nextSequence, message.Sequence + 1);
            }
        }
    }

    // Persistent messages on a durable queue live on disk until settled; paged-out ones are persistent by definition.
    private bool Stores(in QueueEntry entry) => _store is not null && (entry.IsPagedOut || entry.Message.Properties.IsPersistent);

    private void AddReady(in QueueEntry entry)
    {
        if (!entry.IsPagedOut) CountLoaded(entry, +1);
        _readyBytes += entry.Size;
        _ready.PushBack(entry);
    }

    private void CountLoaded(in QueueEntry entry, int sign)
    {
        _loadedCount += sign;
        _loadedBytes += sign * entry.Message.Body.Length;
    }

    private QueueEntry PopReady()
    {
        var entry = _ready.PopFront();
        if (!entry.IsPagedOut) CountLoaded(entry, -1);
        _readyBytes -= entry.Size;
        if (_drained is not null && _ready.Count <= FlowResumeAt)
        {
            _drained.TrySetResult();
            _drained = null;
        }
        return entry;
    }

    // Publisher flow control. A queue with consumers whose backlog passes FlowThreshold tells its
    // publishers to wait until it is back to FlowResumeAt, so memory follows the consumers' pace
    // (RabbitMQ's credit flow has the same effect). A queue without consumers never slows
    // publishers: that backlog is what the memory alarm and paging are for.
    private const int FlowThreshold = 8192;
    private const int FlowResumeAt = FlowThreshold / 2;
    private TaskCompletionSource? _drained;

    private bool IsCongestedLocked => _consumers.Count > 0 && _ready.Count >= FlowThreshold;

    /// <summary>Completes when a congested queue has drained enough for publishers to go on.</summary>
    public Task WhenDrainedAsync()
    {
        lock (_sync)
        {
            if (!IsCongestedLocked) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>
    /// Appends a message and delivers it if a consumer can take it. A full queue drops its head or
    /// refuses the message as its x-overflow says; expired and dropped messages are dead-lettered.
    /// </summary>
    public EnqueueResult Enqueue(Message message)
    {
        List<DeadLetter>? deadLetters = null;
        EnqueueResult result;
        lock (_sync)
        {
            if (IsDeleted) return default;
            result = EnqueueLocked(message, ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
        return result;
    }

    private EnqueueResult EnqueueLocked(Message message, ref List<DeadLetter>? deadLetters)
    {
        // Quorum queues stamp every delivery with its count, starting at 0.
        if (Arguments.IsQuorum) message = WithDeliveryCount(message, 0);
        var size = message.Body.Length;
        var arguments = Arguments;
        if (arguments.Overflow != OverflowBehaviour.DropHead && IsFullFor(size))
        {
            if (arguments.Overflow == OverflowBehaviour.RejectPublishDeadLetter) (deadLetters ??= new()).Add(new DeadLetter(message, DeadLetterReason.MaxLength));
            return new EnqueueResult(0, Rejected: true);
        }
        var entry = new QueueEntry(message, _nextSequence++, Redelivered: false) { Size = size, ExpiresAt = ExpiryOf(message) };
        long ticket = 0;
        if (Stores(entry))
        {
            (ticket, var location) = _store!.Append(entry.Sequence, message);
            var engine = _store.Engine;
            if (_ready.IsFifo && (_loadedCount >= engine.MaxLoadedMessages || _loadedBytes >= engine.MaxLoadedBytes))
            {
                // A backlog past the memory budget: this message lives on disk only until a consumer nears it.
                entry = entry with { Message = null!, Location = location };
            }
        }
        AddReady(entry);
        Stats.Publish++;
        if (arguments.MaxLength is not null || arguments.MaxLengthBytes is not null) DropHeadWhileOverLimit(ref deadLetters);
        if (_consumers.Count > 0) DispatchLocked(ref deadLetters);
        if (entry.ExpiresAt != 0) ExpireHead(ref deadLetters);
        return new EnqueueResult(ticket, Rejected: false, Congested: IsCongestedLocked);
    }

    private bool IsFullFor(int size) =>
        (Arguments.MaxLength is { } maxLength && _ready.Count >= maxLength)
        || (Arguments.MaxLengthBytes is { } maxBytes && _readyBytes + size > maxBytes);

    private void DropHeadWhileOverLimit(ref List<DeadLetter>? deadLetters)
    {
        while (_ready.Count > 0
            && ((Arguments.MaxLength is { } maxLength && _ready.Count > maxLength)
                || (Arguments.MaxLengthBytes is { } maxBytes && _readyBytes > maxBytes)))
        {
            Discard(ref deadLetters, DeadLetterReason.MaxLength);
        }
    }

    // Removes the head for good (it is settled on disk) and dead-letters it.
    private void Discard(ref List<DeadLetter>? deadLetters, DeadLetterReason reason)
    {
        EnsureHeadLoaded();
        if (_ready.Count == 0) return;
        var entry = PopReady();
        if (Stores(entry)) _store!.Ack(entry.Sequence);
        if (Arguments.DeadLetterExchange is not null) (deadLetters ??= new()).Add(new DeadLetter(entry.Message, reason));
    }

    /// <summary>Takes the head message for a synchronous get; <paramref name="remaining"/> is the count left.</summary>
    public bool TryGet(bool noAck, out QueueEntry entry, out int remaining)
    {
        List<DeadLetter>? deadLetters = null;
        bool found;
        lock (_sync)
        {
            TouchForExpiry();
            ExpireHead(ref deadLetters);
            if (_ready.Count > 0) EnsureHeadLoaded();
            found = _ready.Count > 0;
            entry = found ? PopReady() : default;
            if (found)
            {
                OnHandedOut(entry, noAck);
                if (noAck) Stats.GetNoAck++;
                else Stats.Get++;
                if (entry.Redelivered) Stats.Redeliver++;
            }
            else
            {
                Stats.GetEmpty++;
            }
            // The count in get-ok leaves out an expired message that is now at the head.
            ExpireHead(ref deadLetters);
            remaining = _ready.Count;
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
        return found;
    }

    private void OnHandedOut(in QueueEntry entry, bool noAck)
    {
        if (noAck)
        {
            if (Stores(entry)) _store!.Ack(entry.Sequence);
            return;
        }
        _unacked++;
        if (Stores(entry)) _store!.MarkDelivered(entry.Sequence);
    }

    /// <summary>Settles a delivered message for good: acknowledged.</summary>
    public void Settle(in QueueEntry entry) => Settle(new ReadOnlySpan<QueueEntry>(in entry));

    /// <summary>Settles delivered messages for good (a multiple ack): one lock for the lot.</summary>
    public void Settle(ReadOnlySpan<QueueEntry> entries) => Settle(entries, acknowledged: true);

    private void Settle(ReadOnlySpan<QueueEntry> entries, bool acknowledged)
    {
        lock (_sync)
        {
            _unacked -= entries.Length;
            if (acknowledged) Stats.Ack += entries.Length;
            if (_store is null) return;
            foreach (ref readonly var entry in entries)
            {
                if (Stores(entry)) _store.Ack(entry.Sequence);
            }
        }
    }

    /// <summary>Settles a delivered message rejected without requeue: it is dead-lettered if the queue says so.</summary>
    public void Reject(in QueueEntry entry)
    {
        Settle(new ReadOnlySpan<QueueEntry>(in entry), acknowledged: false);
        if (Arguments.DeadLetterExchange is not null && !IsDeleted)
        {
            Host.DeadLetter(this, [new DeadLetter(entry.Message, DeadLetterReason.Rejected)]);
        }
    }

    /// <summary>
    /// Puts delivered messages back at their original places, marked redelivered. Past an
    /// x-delivery-limit a message is dead-lettered instead.
    /// </summary>
    public void Requeue(ReadOnlySpan<QueueEntry> entries)
    {
        List<DeadLetter>? deadLetters = null;
        lock (_sync)
        {
            _unacked -= entries.Length;
            if (IsDeleted) return;
            // Insert newest first so that each insertion lands at or near the head.
            for (var i = entries.Length - 1; i >= 0; i--)
            {
                var entry = entries[i] with { Redelivered = true, DeliveryCount = entries[i].DeliveryCount + 1 };
                if (Arguments.DeliveryLimit is { } limit && entry.DeliveryCount > limit)
                {
                    if (Stores(entry)) _store!.Ack(entry.Sequence);
                    if (Arguments.DeadLetterExchange is not null) (deadLetters ??= new()).Add(new DeadLetter(entry.Message, DeadLetterReason.DeliveryLimit));
                    continue;
                }
                if (Arguments.IsQuorum) entry = entry with { Message = WithDeliveryCount(entry.Message, entry.DeliveryCount) };
                CountLoaded(entry, +1);
                _readyBytes += entry.Size;
                _ready.InsertInOrder(entry);
            }
            // Back over the length limit: the head goes, as on publish.
            if (Arguments.MaxLength is not null || Arguments.MaxLengthBytes is not null) DropHeadWhileOverLimit(ref deadLetters);
            if (_consumers.Count > 0) DispatchLocked(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
    }

    // Quorum queues tell consumers how often a message was returned: the x-delivery-count header.
    private static Message WithDeliveryCount(Message message, int count)
    {
        var properties = message.Properties.Clone();
        (properties.Headers ??= new())["x-delivery-count"] = (long)count;
        return new Message(message.Exchange, message.RoutingKey, properties, message.Body);
    }

    /// <summary>Drops every ready message; returns how many.</summary>
    public int Purge()
    {
        lock (_sync)
        {
            var count = _ready.Count;
            while (_ready.Count > 0)
            {
                var entry = PopReady();
                if (Stores(entry)) _store!.Ack(entry.Sequence);
            }
            return count;
        }
    }

    /// <summary>
    /// Attaches a consumer. Fails with 403 when an exclusive consumer holds the queue, or when
    /// asking for exclusivity on a queue with consumers. <paramref name="accepted"/> runs once the
    /// consumer is accepted and before its first delivery (AMQP sends consume-ok there).
    /// </summary>
    public void AddConsumer(Consumer consumer, Action<Consumer>? accepted = null)
    {
        List<DeadLetter>? deadLetters = null;
        lock (_sync)
        {
            if (IsDeleted) throw BrokerException.NoQueue(Name, VirtualHostName);
            if ((consumer.Exclusive && (_consumers.Count > 0 || Arguments.SingleActiveConsumer)) || (_consumers.Count > 0 && _consumers[0].Exclusive))
            {
                throw new BrokerException(BrokerError.AccessRefused, $"queue '{Name}' in vhost '{VirtualHostName}' in exclusive use");
            }
            consumer.Queue = this;
            accepted?.Invoke(consumer);
            // Kept in priority order (highest first), registration order within a priority.
            var index = _consumers.Count;
            while (index > 0 && _consumers[index - 1].Priority < consumer.Priority) index--;
            _consumers.Insert(index, consumer);
            if (index <= _nextConsumer && _consumers.Count > 1) _nextConsumer++;
            _hadConsumer = true;
            TouchForExpiry();
            DispatchLocked(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
    }

    /// <summary>Detaches a consumer. Returns true when the queue should now be auto-deleted.</summary>
    public bool RemoveConsumer(Consumer consumer)
    {
        List<DeadLetter>? deadLetters = null;
        bool autoDelete;
        lock (_sync)
        {
            var index = _consumers.IndexOf(consumer);
            if (index < 0) return false;
            _consumers.RemoveAt(index);
            if (_nextConsumer > index) _nextConsumer--;
            if (_nextConsumer >= _consumers.Count) _nextConsumer = 0;
            TouchForExpiry();
            autoDelete = _consumers.Count == 0 && _hadConsumer && Settings.AutoDelete && !IsDeleted;
            // With a single active consumer, the next one in line takes over now.
            if (!autoDelete && Arguments.SingleActiveConsumer && index == 0 && _consumers.Count > 0) DispatchLocked(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
        return autoDelete;
    }

    /// <summary>Called by a consumer that refused a delivery once it can take messages again.</summary>
    public void ResumeDispatch()
    {
        List<DeadLetter>? deadLetters = null;
        lock (_sync)
        {
            if (_ready.Count > 0 && _consumers.Count > 0) DispatchLocked(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
    }

    /// <summary>Marks the queue deleted and returns its consumers, for the caller to notify outside the lock.</summary>
    internal (int Messages, Consumer[] Consumers) MarkDeleted()
    {
        lock (_sync)
        {
            IsDeleted = true;
            var count = _ready.Count;
            _ready.Clear();
            _store?.Delete();
            var consumers = _consumers.ToArray();
            _consumers.Clear();
            StopTimers();
            _drained?.TrySetResult();
            return (count, consumers);
        }
    }

    /// <summary>Closes the queue's files at shutdown, leaving them for the next start.</summary>
    internal void CloseStore()
    {
        lock (_sync) StopTimers();
        _store?.Close();
    }

    // Round-robin within the highest consumer priority that can take a message; with a single
    // active consumer only the first in line is served.
    private void DispatchLocked(ref List<DeadLetter>? deadLetters)
    {
        while (_ready.Count > 0 && _consumers.Count > 0)
        {
            ExpireHead(ref deadLetters, inclusive: false);
            if (_ready.Count == 0) return;
            // Disk reads only for a consumer that may take the message.
            if (_ready.PeekFront().IsPagedOut && AllConsumersStalled()) return;
            EnsureHeadLoaded();
            if (_ready.Count == 0) return;
            if (!TryDeliverHead()) return;
        }
    }

    private bool TryDeliverHead()
    {
        var count = Arguments.SingleActiveConsumer ? 1 : _consumers.Count;
        var start = 0;
        while (start < count)
        {
            // One priority level: consumers [start, end).
            var priority = _consumers[start].Priority;
            var end = start + 1;
            while (end < count && _consumers[end].Priority == priority) end++;
            var size = end - start;
            var offset = _nextConsumer >= start && _nextConsumer < end ? _nextConsumer - start : 0;
            for (var attempt = 0; attempt < size; attempt++)
            {
                var index = start + (offset + attempt) % size;
                var consumer = _consumers[index];
                bool delivered;
                try
                {
                    delivered = consumer.TryDeliver(in _ready.PeekFront());
                }
                catch (Exception e)
                {
                    // Never let one consumer's failure unwind into the dispatching thread (another
                    // client's publish or ack): detach it, keep the message, look again.
                    DetachFailed(consumer, index, e);
                    return _consumers.Count > 0;
                }
                if (!delivered) continue;
                var entry = PopReady();
                OnHandedOut(entry, consumer.NoAck);
                if (consumer.NoAck) Stats.DeliverNoAck++;
                else Stats.Deliver++;
                if (entry.Redelivered) Stats.Redeliver++;
                _nextConsumer = start + (index - start + 1) % size;
                return true;
            }
            start = end;
        }
        return false;
    }

    private bool AllConsumersStalled()
    {
        foreach (var consumer in _consumers)
        {
            if (!consumer.IsStalled) return false;
        }
        return true;
    }

    private void DetachFailed(Consumer consumer, int index, Exception error)
    {
        _consumers.RemoveAt(index);
        if (_nextConsumer >= _consumers.Count) _nextConsumer = 0;
        try
        {
            consumer.OnDeliveryFailed(error);
        }
        catch (Exception)
        {
            // The consumer was told as well as it can be; the queue goes on serving the others.
        }
    }

    // Before the head is handed out: reads it, and the paged-out run behind it, back from disk.
    private void EnsureHeadLoaded()
    {
        if (!_ready.PeekFront().IsPagedOut) return;
        const int Batch = 1024;
        var count = 0;
        while (count < Batch && count < _ready.Count && _ready.At(count).IsPagedOut) count++;
        var locations = new long[count];
        for (var i = 0; i < count; i++) locations[i] = _ready.At(i).Location;
        var messages = new Message?[count];
        _store!.Load(locations, messages);
        for (var i = count - 1; i >= 0; i--)
        {
            ref var slot = ref _ready.At(i);
            if (messages[i] is { } message)
            {
                slot = slot with { Message = message };
                CountLoaded(slot, +1);
            }
            else
            {
                // A record that no longer reads back (the disk changed under the broker) cannot be delivered.
                _readyBytes -= slot.Size;
                for (var j = i; j > 0; j--) _ready.At(j) = _ready.At(j - 1);
                _ready.PopFront();
            }
        }
    }
}
