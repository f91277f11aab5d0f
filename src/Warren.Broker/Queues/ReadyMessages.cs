namespace Warren.Broker.Queues;

/// <summary>
/// A queue's ready messages: one FIFO, or one FIFO per priority level for an x-max-priority queue
/// (the highest non-empty level is served first).
/// </summary>
internal sealed class ReadyMessages
{
    private readonly EntryDeque _main = new();
    private readonly EntryDeque[]? _levels;
    private int _count;

    public ReadyMessages(int maxPriority)
    {
        if (maxPriority <= 0) return;
        _levels = new EntryDeque[maxPriority + 1];
        _levels[0] = _main;
    }

    public int Count => _count;

    /// <summary>True for a plain FIFO, whose entries can be addressed by position (used for paging).</summary>
    public bool IsFifo => _levels is null;

    public ref readonly QueueEntry PeekFront() => ref Head().PeekFront();

    public QueueEntry PopFront()
    {
        _count--;
        return Head().PopFront();
    }

    public void PushBack(in QueueEntry entry)
    {
        Level(entry).PushBack(entry);
        _count++;
    }

    public void InsertInOrder(in QueueEntry entry)
    {
        Level(entry).InsertInOrder(entry);
        _count++;
    }

    /// <summary>The entry <paramref name="index"/> places from the head of a plain FIFO.</summary>
    public ref QueueEntry At(int index) => ref _main.At(index);

    public void Clear()
    {
        if (_levels is null) _main.Clear();
        else foreach (var level in _levels) level?.Clear();
        _count = 0;
    }

    private EntryDeque Head()
    {
        if (_levels is null) return _main;
        for (var i = _levels.Length - 1; i > 0; i--)
        {
            if (_levels[i] is { Count: > 0 } level) return level;
        }
        return _main;
    }

    private EntryDeque Level(in QueueEntry entry)
    {
        if (_levels is null) return _main;
        // A priority above the maximum counts as the maximum (RabbitMQ).
        var priority = Math.Min(entry.Message.Properties.Priority ?? 0, _levels.Length - 1);
        return _levels[priority] ??= new EntryDeque();
    }
}
