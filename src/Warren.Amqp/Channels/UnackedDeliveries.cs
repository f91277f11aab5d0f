using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

/// <summary>A delivery awaiting its acknowledgement.</summary>
internal struct Unacked
{
    public ulong Tag;
    public Queue Queue;
    public QueueEntry Entry;
    /// <summary>The consumer whose prefetch it counts against; null for basic.get.</summary>
    public AmqpConsumer? Consumer;
    public bool Settled;
}

/// <summary>
/// A channel's unacknowledged deliveries in delivery-tag order. Tags only grow, so the list is a
/// ring buffer searched by bisection; acknowledged entries are marked and trimmed from the head.
/// Acknowledgements mostly come in order, so the head trim keeps it compact.
/// </summary>
internal sealed class UnackedDeliveries
{
    private Unacked[] _items = new Unacked[64];
    private int _head;
    private int _count; // slots in use, settled ones included
    private int _live;

    /// <summary>Deliveries still awaiting their acknowledgement.</summary>
    public int Count => _live;

    public void Add(ulong tag, Queue queue, in QueueEntry entry, AmqpConsumer? consumer)
    {
        if (_count == _items.Length) Grow();
        ref var slot = ref _items[(_head + _count) & (_items.Length - 1)];
        slot = new Unacked { Tag = tag, Queue = queue, Entry = entry, Consumer = consumer };
        _count++;
        _live++;
    }

    /// <summary>Removes one tag; false when it is not outstanding.</summary>
    public bool TryRemove(ulong tag, List<Unacked> removed)
    {
        var index = Find(tag);
        if (index < 0) return false;
        ref var slot = ref At(index);
        removed.Add(slot);
        slot.Settled = true;
        slot.Queue = null!;
        slot.Consumer = null;
        slot.Entry = default;
        _live--;
        TrimHead();
        return true;
    }

    /// <summary>Removes every outstanding tag up to and including <paramref name="tag"/> (all of them for 0).</summary>
    public void RemoveUpTo(ulong tag, List<Unacked> removed)
    {
        while (_count > 0)
        {
            ref var slot = ref At(0);
            if (tag != 0 && slot.Tag > tag) break;
            if (!slot.Settled)
            {
                removed.Add(slot);
                _live--;
            }
            slot = default;
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
        }
    }

    /// <summary>Puts deliveries back (a rolled-back transaction's acknowledgements), keeping tag order.</summary>
    public void Restore(List<Unacked> deliveries)
    {
        var all = new List<Unacked>(_live + deliveries.Count);
        RemoveUpTo(0, all);
        all.AddRange(deliveries);
        all.Sort(static (a, b) => a.Tag.CompareTo(b.Tag));
        foreach (var delivery in all) Add(delivery.Tag, delivery.Queue, delivery.Entry, delivery.Consumer);
    }

    private ref Unacked At(int index) => ref _items[(_head + index) & (_items.Length - 1)];

    private int Find(ulong tag)
    {
        int low = 0, high = _count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            ref var slot = ref At(mid);
            if (slot.Tag == tag) return slot.Settled ? -1 : mid;
            if (slot.Tag < tag) low = mid + 1;
            else high = mid - 1;
        }
        return -1;
    }

    private void TrimHead()
    {
        while (_count > 0 && At(0).Settled)
        {
            At(0) = default;
            _head = (_head + 1) & (_items.Length - 1);
            _count--;
        }
    }

    private void Grow()
    {
        var larger = new Unacked[_items.Length * 2];
        for (var i = 0; i < _count; i++) larger[i] = At(i);
        _items = larger;
        _head = 0;
    }
}
