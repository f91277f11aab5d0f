using Warren.Broker.Consumers;
using Warren.Broker.Messages;
using Warren.Broker.Routing;

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

    internal Queue(string name, string virtualHost, QueueSettings settings, object? owner) : base(name)
    {
        VirtualHostName = virtualHost;
        Settings = settings;
        Owner = owner;
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

    /// <summary>Appends a message and delivers it if a consumer can take it.</summary>
    public void Enqueue(Message message)
    {
        lock (_sync)
        {
            if (IsDeleted) return;
            _ready.PushBack(new QueueEntry(message, _nextSequence++, Redelivered: false));
            if (_consumers.Count > 0) DispatchLocked();
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
            entry = _ready.PopFront();
            if (!noAck) _unacked++;
            remaining = _ready.Count;
            return true;
        }
    }

    /// <summary>Settles delivered messages for good (acknowledged, or rejected without requeue).</summary>
    public void Settle(int count)
    {
        lock (_sync) _unacked -= count;
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
                _ready.InsertInOrder(entries[i] with { Redelivered = true });
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
            _ready.Clear();
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
            var consumers = _consumers.ToArray();
            _consumers.Clear();
            return (count, consumers);
        }
    }

    // Round-robin: each message goes to the next consumer (after the last one served) that can take it.
    private void DispatchLocked()
    {
        while (_ready.Count > 0)
        {
            var count = _consumers.Count;
            var delivered = false;
            for (var attempt = 0; attempt < count; attempt++)
            {
                var index = (_nextConsumer + attempt) % count;
                var consumer = _consumers[index];
                if (!consumer.TryDeliver(in _ready.PeekFront())) continue;
                _ready.PopFront();
                if (!consumer.NoAck) _unacked++;
                _nextConsumer = (index + 1) % count;
                delivered = true;
                break;
            }
            if (!delivered) return;
        }
    }
}
