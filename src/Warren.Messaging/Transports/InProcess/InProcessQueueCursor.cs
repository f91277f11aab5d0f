using Warren.Broker.Queues;

namespace Warren.Messaging.Transports.InProcess;

/// <summary>Gets without auto-ack straight from the broker's queue; the queue's requeue restores original positions.</summary>
internal sealed class InProcessQueueCursor : IQueueCursor
{
    private readonly Queue _queue;
    private readonly List<(IncomingMessage Message, QueueEntry Entry)> _held = new();

    public InProcessQueueCursor(Queue queue) => _queue = queue;

    public Task<IncomingMessage?> TakeAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_queue.TryGet(noAck: false, out var entry, out _)) return Task.FromResult<IncomingMessage?>(null);
        var incoming = InProcessTransport.ToIncoming(entry, _queue.Name);
        _held.Add((incoming, entry));
        return Task.FromResult<IncomingMessage?>(incoming);
    }

    public Task AcknowledgeAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        var index = _held.FindIndex(h => ReferenceEquals(h.Message, message));
        if (index < 0) throw new InvalidOperationException("The message was not taken by this cursor, or is acknowledged already.");
        _queue.Settle(_held[index].Entry);
        _held.RemoveAt(index);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_held.Count > 0) _queue.Requeue(_held.Select(h => h.Entry).ToArray());
        _held.Clear();
        return ValueTask.CompletedTask;
    }
}
