using System.Buffers;
using System.IO.Pipelines;

namespace Warren.Amqp.Output;

/// <summary>
/// The outgoing side of a connection. Any thread writes whole frames into the current buffer
/// under <see cref="Sync"/>; one writer loop swaps buffers and moves a whole batch to the
/// transport with a single flush, so many frames share one system call.
/// </summary>
internal sealed class FrameOutput : IDisposable
{
    // Past this many unsent bytes the connection is congested: no consumer of it is given more
    // and its frames are not read until the writer catches up, so a client that does not read its
    // socket holds at most about twice this (this buffer plus the batch being sent) and the kernel's
    // socket buffers, whatever its consumers and prefetch.
    private const int CongestionThreshold = 4 * 1024 * 1024;

    private readonly PipeWriter _transport;
    private readonly SemaphoreSlim _wakeUp = new(0);
    // Idle connections are many: buffers start small and shrink back after a burst.
    private const int InitialBuffer = 4 * 1024;
    private const int KeepBufferUpTo = 1024 * 1024;

    private ArrayBufferWriter<byte> _current = new(InitialBuffer);
    private ArrayBufferWriter<byte> _spare = new(InitialBuffer);
    private int _wakeUpPending;
    private bool _completing;
    private TaskCompletionSource? _drained;
    private bool _finished;

    public FrameOutput(PipeWriter transport) => _transport = transport;

    /// <summary>Held while writing frames into <see cref="Buffer"/>.</summary>
    public object Sync { get; } = new();

    /// <summary>The buffer to write frames into; only under <see cref="Sync"/>.</summary>
    public IBufferWriter<byte> Buffer => _current;

    /// <summary>True when too many bytes wait to be sent.</summary>
    public bool IsCongested => _current.WrittenCount > CongestionThreshold;

    /// <summary>Ticks (Environment.TickCount64) of the last write to the transport.</summary>
    public long LastWriteTicks { get; private set; } = Environment.TickCount64;

    /// <summary>Bytes handed to the transport; written by the writer loop only.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Raised on the writer loop after a batch went out while output was congested.</summary>
    public Action? Drained { get; set; }

    /// <summary>Completes once the output is no longer congested (at once when it is not).</summary>
    public Task WhenDrainedAsync()
    {
        lock (Sync)
        {
            if (!IsCongested || _finished) return Task.CompletedTask;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>Wakes the writer loop to send what was written. Call after releasing <see cref="Sync"/>, or under it.</summary>
    public void Signal()
    {
        // One wake-up per batch; the loop clears the flag before it takes the buffer.
        if (Interlocked.Exchange(ref _wakeUpPending, 1) == 0) _wakeUp.Release();
    }

    /// <summary>Sends what is buffered, then ends the loop.</summary>
    public void Complete()
    {
        lock (Sync) _completing = true;
        _wakeUp.Release();
    }

    public void Dispose() => _wakeUp.Dispose();

    /// <summary>The writer loop: runs until <see cref="Complete"/> or a transport failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _wakeUp.WaitAsync(cancellationToken).ConfigureAwait(false);
                ArrayBufferWriter<byte> batch;
                bool completing, wasCongested;
                Volatile.Write(ref _wakeUpPending, 0);
                lock (Sync)
                {
                    wasCongested = IsCongested;
                    batch = _current;
                    _current = _spare;
                    _spare = batch;
                    completing = _completing;
                }
                if (batch.WrittenCount > 0)
                {
                    var flush = await _transport.WriteAsync(batch.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    BytesSent += batch.WrittenCount;
                    batch.ResetWrittenCount();
                    if (batch.Capacity > KeepBufferUpTo)
                    {
                        lock (Sync) _spare = new ArrayBufferWriter<byte>(InitialBuffer);
                    }
                    LastWriteTicks = Environment.TickCount64;
                    if (flush.IsCompleted) return;
                    if (wasCongested)
                    {
                        TaskCompletionSource? drained;
                        lock (Sync)
                        {
                            drained = IsCongested ? null : _drained;
                            if (drained is not null) _drained = null;
                        }
                        drained?.TrySetResult();
                        Drained?.Invoke();
                    }
                }
                if (completing)
                {
                    lock (Sync)
                    {
                        if (_current.WrittenCount > 0)
                        {
                            _wakeUp.Release();
                            continue;
                        }
                    }
                    return;
                }
            }
        }
        finally
        {
            // Nothing more will drain: a reader waiting for it goes on (and finds the connection ending).
            lock (Sync)
            {
                _finished = true;
                _drained?.TrySetResult();
            }
            await _transport.CompleteAsync().ConfigureAwait(false);
        }
    }
}
