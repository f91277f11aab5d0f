using Warren.Broker.Consumers;
using Warren.Broker.Messages;
using Warren.Broker.Routing;
using Warren.Broker.Storage;

namespace Warren.Broker.Queues;

/// <summary>How a queue was declared.</summary>
/// <param name="Durable">Survives a restart.</param>
/// <param name="Exclusive">Owned by the declaring connection; deleted when it closes.</param>
/// <param name="AutoDelete">Deleted when its last consumer leaves.</param>
/// <param name="Arguments">Declared arguments (x-message-ttl, …).</param>
public sealed record QueueSettings(bool Durable, bool Exclusive, bool AutoDelete, IReadOnlyDictionary<string, object?>? Arguments);

/// <summary>
/// A FIFO queue of messages with competing consumers served round-robin.
/// Thread-safe: publishers, consumers and acknowledgements may come from any thread.
/// </summary>
/// <remarks>
/// Lock order: a queue's lock may be held while a consumer takes its own (channel) locks in
/// <see cref="Consumer.TryDeliver"/>; a consumer never calls into a queue while holding its locks.
/// </remarks>
public sealed class Queue : Destination
{
    private readonly object _sync = new();
    private readonly EntryDeque _ready = new();
    private readonly List<Consumer> _consumers = new();
    private int _nextConsumer;
    private long _nextSequence;
    private int _unacked;
    private bool _hadConsumer;
    private readonly QueueStore? _store;
    // Ready messages held in memory; past the store's limits new persistent messages are paged out.
    private int _loadedCount;
    private long _loadedBytes;

    internal Queue(string name, string virtualHost, QueueSettings settings, object? owner, QueueStore? store = null) : base(name)
    {
        VirtualHostName = virtualHost;
        Settings = settings;
        Owner = owner;
        _store = store;
    }

    /// <summary>True when persistent messages on this queue are written to disk.</summary>
    public bool IsPersistent => _store is not null;

    /// <summary>Puts messages recovered from disk back, in order, before the queue is used.</summary>
    internal void Restore(List<RecoveredMessage> recovered, long nextSequence)
    {
        lock (_sync)
        {
            _nextSequence = Math.Max(_nextSequence, nextSequence);
            foreach (var message in recovered)
            {
                var entry = new QueueEntry(message.Message!, message.Sequence, Redelivered: message.Delivered) { Location = message.Location };
                if (!entry.IsPagedOut) CountLoaded(entry, +1);
                _ready.PushBack(entry);
                _nextSequence = Math.Max(_nextSequence, message.Sequence + 1);
            }
        }
    }

    // Persistent messages on a durable queue live on disk until settled; paged-out ones are persistent by definition.
    private bool Stores(in QueueEntry entry) => _store is not null && (entry.IsPagedOut || entry.Message.Properties.IsPersistent);

    private void CountLoaded(in QueueEntry entry, int sign)
    {
        _loadedCount += sign;
        _loadedBytes += sign * entry.Message.Body.Length;
    }

    private QueueEntry PopReady()
    {
        var entry = _ready.PopFront();
        if (!entry.IsPagedOut) CountLoaded(entry, -1);
        return entry;
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
                RemoveAt(i);
            }
        }
    }

    private void RemoveAt(int index)
    {
        for (var i = index; i > 0; i--) _ready.At(i) = _ready.At(i - 1);
        _ready.PopFront();
    }

    /// <summary>How it was declared.</summary>
    public QueueSettings Settings { get; }

    /// <summary>The name of its virtual host.</summary>
    public string VirtualHostName { get; }

    /// <summary>The owning connection of an exclusive queue (an opaque identity), else null.</summary>
    public object? Owner { get; }

    /// <summary>True once deleted; a deleted queue accepts and delivers nothing.</summary>
    public bool IsDeleted { get; private set; }

    /// <summary>Messages ready for delivery (not counting those delivered and awaiting acknowledgement).</summary>
    public int MessageCount { get { lock (_sync) return _ready.Count; } }

    /// <summary>Messages delivered and not yet acknowledged.</summary>
    public int UnackedCount { get { lock (_sync) return _unacked; } }

    /// <summary>Active consumers.</summary>
    public int ConsumerCount { get { lock (_sync) return _consumers.Count; } }

    /// <summary>
    /// Appends a message and delivers it if a consumer can take it. Returns the storage ticket
    /// that makes it durable (0 when nothing was written: a transient message or queue).
    /// </summary>
    public long Enqueue(Message message)
    {
        lock (_sync)
        {
            if (IsDeleted) return 0;
            var entry = new QueueEntry(message, _nextSequence++, Redelivered: false);
            long ticket = 0;
            if (Stores(entry))
            {
                (ticket, var location) = _store!.Append(entry.Sequence, message);
                var engine = _store.Engine;
                if (_loadedCount >= engine.MaxLoadedMessages || _loadedBytes >= engine.MaxLoadedBytes)
                {
                    // A backlog past the memory budget: this message lives on disk only until a consumer nears it.
                    entry = entry with { Message = null!, Location = location };
                }
            }
            if (!entry.IsPagedOut) CountLoaded(entry, +1);
            _ready.PushBack(entry);
            if (_consumers.Count > 0) DispatchLocked();
            return ticket;
        }
    }

    /// <summary>Takes the head message for a synchronous get; <paramref name="remaining"/> is the count left.</summary>
    public bool TryGet(bool noAck, out QueueEntry entry, out int remaining)
    {
        lock (_sync)
        {
            if (_ready.Count == 0)
            {
                entry = default;
                remaining = 0;
                return false;
            }
            EnsureHeadLoaded();
            if (_ready.Count == 0)
            {
                entry = default;
                remaining = 0;
                return false;
            }
            entry = PopReady();
            OnHandedOut(entry, noAck);
            remaining = _ready.Count;
            return true;
        }
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

    /// <summary>Settles a delivered message for good (acknowledged, or rejected without requeue).</summary>
    public void Settle(in QueueEntry entry)
    {
        lock (_sync)
        {
            _unacked--;
            if (Stores(entry)) _store!.Ack(entry.Sequence);
        }
    }

    /// <summary>Puts delivered messages back at their original places, marked redelivered.</summary>
    public void Requeue(ReadOnlySpan<QueueEntry> entries)
    {
        lock (_sync)
        {
            _unacked -= entries.Length;
            if (IsDeleted) return;
            // Insert newest first so that each insertion lands at or near the head.
            for (var i = entries.Length - 1; i >= 0; i--)
            {
                var entry = entries[i] with { Redelivered = true };
                CountLoaded(entry, +1);
                _ready.InsertInOrder(entry);
            }
            if (_consumers.Count > 0) DispatchLocked();
        }
    }

    /// <summary>Drops every ready message; returns how many.</summary>
    public int Purge()
    {
        lock (_sync)
        {
            var count = _ready.Count;
            if (_store is not null)
            {
                while (_ready.Count > 0)
                {
                    var entry = _ready.PopFront();
                    if (Stores(entry)) _store.Ack(entry.Sequence);
                }
            }
            _ready.Clear();
            _loadedCount = 0;
            _loadedBytes = 0;
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
        lock (_sync)
        {
            if (IsDeleted) throw BrokerException.NoQueue(Name, VirtualHostName);
            if (_consumers.Count > 0 && (consumer.Exclusive || _consumers[0].Exclusive))
            {
                throw new BrokerException(BrokerError.AccessRefused, $"queue '{Name}' in vhost '{VirtualHostName}' in exclusive use");
            }
            consumer.Queue = this;
            accepted?.Invoke(consumer);
            _consumers.Add(consumer);
            _hadConsumer = true;
            DispatchLocked();
        }
    }

    /// <summary>Detaches a consumer. Returns true when the queue should now be auto-deleted.</summary>
    public bool RemoveConsumer(Consumer consumer)
    {
        lock (_sync)
        {
            var index = _consumers.IndexOf(consumer);
            if (index < 0) return false;
            _consumers.RemoveAt(index);
            if (_nextConsumer > index) _nextConsumer--;
            return _consumers.Count == 0 && _hadConsumer && Settings.AutoDelete && !IsDeleted;
        }
    }

    /// <summary>Called by a consumer that refused a delivery once it can take messages again.</summary>
    public void ResumeDispatch()
    {
        lock (_sync)
        {
            if (_ready.Count > 0 && _consumers.Count > 0) DispatchLocked();
        }
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
            return (count, consumers);
        }
    }

    /// <summary>Closes the queue's files at shutdown, leaving them for the next start.</summary>
    internal void CloseStore() => _store?.Close();

    // Round-robin: each message goes to the next consumer (after the last one served) that can take it.
    private void DispatchLocked()
    {
        while (_ready.Count > 0)
        {
            EnsureHeadLoaded();
            if (_ready.Count == 0) return;
            var count = _consumers.Count;
            var delivered = false;
            for (var attempt = 0; attempt < count; attempt++)
            {
                var index = (_nextConsumer + attempt) % count;
                var consumer = _consumers[index];
                if (!consumer.TryDeliver(in _ready.PeekFront())) continue;
                var entry = PopReady();
                OnHandedOut(entry, consumer.NoAck);
                _nextConsumer = (index + 1) % count;
                delivered = true;
                break;
            }
            if (!delivered) return;
        }
    }
}
