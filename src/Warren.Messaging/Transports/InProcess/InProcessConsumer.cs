using System.Threading.Channels;
using Warren.Broker.Consumers;
using Warren.Broker.Queues;

namespace Warren.Messaging.Transports.InProcess;

/// <summary>
/// A broker consumer that hands deliveries to worker tasks through a channel. The queue calls
/// <see cref="TryDeliver"/> under its lock, so it only counts and enqueues; workers run the
/// handler, then settle (ack) or requeue, and resume dispatch when the prefetch window had filled.
/// </summary>
internal sealed class InProcessConsumer : Consumer, IAsyncDisposable
{
    private readonly InProcessTransport _transport;
    private readonly Func<IncomingMessage, CancellationToken, Task> _handler;
    private readonly Channel<QueueEntry> _deliveries = Channel.CreateUnbounded<QueueEntry>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly object _sync = new();
    private readonly ushort _prefetch;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping;
    private int _inFlight;
    private bool _blocked;
    private bool _stopped;

    public InProcessConsumer(InProcessTransport transport, string tag, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken transportDisposed)
        : base(tag, noAck: false, settings.Exclusive)
    {
        _transport = transport;
        _handler = handler;
        _prefetch = settings.Prefetch;
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(transportDisposed);
        _workers = new Task[Math.Max(1, settings.Concurrency)];
        for (var i = 0; i < _workers.Length; i++) _workers[i] = Task.Run(WorkAsync, CancellationToken.None);
    }

    protected override bool TryDeliver(in QueueEntry entry)
    {
        lock (_sync)
        {
            if (_stopped || (_prefetch > 0 && _inFlight >= _prefetch))
            {
                _blocked = !_stopped;
                return false;
            }
            _inFlight++;
        }
        _deliveries.Writer.TryWrite(entry);
        return true;
    }

    protected override void OnCancelledByBroker()
    {
        lock (_sync) _stopped = true;
        _deliveries.Writer.TryComplete();
    }

    private async Task WorkAsync()
    {
        var reader = _deliveries.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var entry))
            {
                var queue = Queue;
                var succeeded = false;
                try
                {
                    await _handler(InProcessTransport.ToIncoming(entry, queue.Name), _stopping.Token).ConfigureAwait(false);
                    succeeded = true;
                }
                catch (Exception)
                {
                    // The library's pipeline handles failures itself; an exception here means
                    // even that failed (e.g. the error queue is gone): requeue, as a nack would.
                }
                if (succeeded) queue.Settle(entry);
                else queue.Requeue([entry]);
                Release();
            }
        }
    }

    private void Release()
    {
        bool resume;
        lock (_sync)
        {
            _inFlight--;
            resume = _blocked && !_stopped;
            _blocked = false;
        }
        if (resume) Queue.ResumeDispatch();
    }

    /// <summary>Stops taking messages, lets in-flight handlers finish and requeues what was buffered.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_stopped && _deliveries.Reader.Completion.IsCompleted) return;
            _stopped = true;
        }
        var queue = Queue;
        _transport.OnConsumerStopped(this, queue);
        // Buffered, not yet started: back to the queue. Workers finish what they hold.
        var buffered = new List<QueueEntry>();
        while (_deliveries.Reader.TryRead(out var entry)) buffered.Add(entry);
        _deliveries.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        if (buffered.Count > 0) queue.Requeue(buffered.ToArray());
        _stopping.Dispose();
    }
}
