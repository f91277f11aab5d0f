using System.Threading.Channels;
using Warren.Broker.Consumers;
using Warren.Broker.Queues;

namespace Warren.Messaging.Transports.InProcess;

/// <summary>
/// A broker consumer that hands deliveries to worker tasks through a channel. The queue calls
/// <see cref="TryDeliver"/> under its lock, so it only counts and enqueues; workers run the
/// handler, then settle (ack) or requeue, and resume dispatch when the prefetch window had filled.
/// When its queue is deleted, it waits for a queue of that name to exist again and consumes it,
/// as the AMQP transport's consumers do.
/// </summary>
internal sealed class InProcessConsumer : Consumer, IAsyncDisposable
{
    private readonly InProcessTransport _transport;
    private readonly Func<IncomingMessage, CancellationToken, Task> _handler;
    // Polls for a deleted queue to exist again: from 100 ms, doubling up to 5 s.
    private static readonly TimeSpan FirstReattachDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReattachDelay = TimeSpan.FromSeconds(5);

    // Each entry with the queue it came from: after a re-attach the consumer's Queue is another one.
    private readonly Channel<(QueueEntry Entry, Queue Queue)> _deliveries = Channel.CreateUnbounded<(QueueEntry, Queue)>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly object _sync = new();
    private readonly ushort _prefetch;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stopping;
    private readonly CancellationTokenSource _stopReattaching = new();
    private readonly string _queueName;
    private Task? _reattaching;
    private int _inFlight;
    private bool _blocked;
    private bool _stopped;

    public InProcessConsumer(InProcessTransport transport, string queue, string tag, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken transportDisposed)
        : base(tag, noAck: false, settings.Exclusive)
    {
        _transport = transport;
        _queueName = queue;
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
        _deliveries.Writer.TryWrite((entry, Queue));
        return true;
    }

    /// <summary>False while waiting for its deleted queue to come back.</summary>
    public bool IsAttached
    {
        get
        {
            lock (_sync) return _reattaching is null || _reattaching.IsCompleted;
        }
    }

    // The queue was deleted: held messages settle on it (a no-op now); the workers stay, waiting
    // for the queue to come back.
    protected override void OnCancelledByBroker()
    {
        lock (_sync)
        {
            if (_stopped) return;
            _blocked = false;
            _reattaching = ReattachAsync(_stopReattaching.Token);
        }
    }

    private async Task ReattachAsync(CancellationToken cancellationToken)
    {
        var delay = FirstReattachDelay;
        try
        {
            do
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReattachDelay.Ticks));
            }
            while (!_transport.TryReattach(this, _queueName));
        }
        catch (OperationCanceledException)
        {
            // Stopped while waiting.
        }
    }

    private async Task WorkAsync()
    {
        var reader = _deliveries.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var delivery))
            {
                var (entry, queue) = delivery;
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
        Task? reattaching;
        lock (_sync)
        {
            if (_stopped) return;
            _stopped = true;
            reattaching = _reattaching;
        }
        await _stopReattaching.CancelAsync().ConfigureAwait(false);
        if (reattaching is not null) await reattaching.ConfigureAwait(false);
        _transport.OnConsumerStopped(this, Queue);
        // Buffered, not yet started: back to the queue they came from. Workers finish what they hold.
        var buffered = new List<(QueueEntry Entry, Queue Queue)>();
        while (_deliveries.Reader.TryRead(out var delivery)) buffered.Add(delivery);
        _deliveries.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
        foreach (var (entry, queue) in buffered) queue.Requeue([entry]);
        _stopping.Dispose();
        _stopReattaching.Dispose();
    }
}
