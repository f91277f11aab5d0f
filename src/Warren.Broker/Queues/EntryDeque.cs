namespace Warren.Broker.Queues;

/// <summary>
/// A growable ring buffer of entries in sequence order: O(1) at both ends, and insertion of
/// requeued entries near the head by their sequence number.
/// </summary>
internal sealed class EntryDeque
{
    private QueueEntry[] _items = new QueueEntry[16];
    private int _head;

    public int Count { get; private set; }

    public ref readonly QueueEntry PeekFront() => ref _items[_head];

    /// <summary>The entry <paramref name="index"/> places from the head.</summary>
    public ref QueueEntry At(int index) => ref _items[(_head + index) & (_items.Length - 1)];

    public void PushBack(in QueueEntry entry)
    {
        if (Count == _items.Length) Grow();
        _items[(_head + Count) & (_items.Length - 1)] = entry;
        Count++;
    }

    public QueueEntry PopFront()
    {
        var entry = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) & (_items.Length - 1);
        Count--;
        return entry;
    }

    /// <summary>Inserts by sequence number; requeued entries are older than most, so the scan starts at the head.</summary>
    public void InsertInOrder(in QueueEntry entry)
    {
        if (Count == _items.Length) Grow();
        var mask = _items.Length - 1;
        var position = 0;
        while (position < Count && _items[(_head + position) & mask].Sequence < entry.Sequence) position++;
        if (position == 0)
        {
            _head = (_head - 1) & mask;
            _items[_head] = entry;
            Count++;
            return;
        }
        for (var i = Count; i > position; i--) _items[(_head + i) & mask] = _items[(_head + i - 1) & mask];
        _items[(_head + position) & mask] = entry;
        Count++;
    }

    public void Clear()
    {
        Array.Clear(_items);
        _head = 0;
        Count = 0;
    }

    private void Grow()
    {
        var larger = new QueueEntry[_items.Length * 2];
        for (var i = 0; i < Count; i++) larger[i] = _items[(_head + i) & (_items.Length - 1)];
        _items = larger;
        _head = 0;
    }
}
