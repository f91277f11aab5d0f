using Microsoft.Extensions.Logging;

namespace Warren.Broker.Storage;

/// <summary>Told when more of what was appended is safely on disk.</summary>
public interface IDurabilityListener
{
    /// <summary>Every append with a ticket up to <paramref name="durableTicket"/> is on disk. Called on the flusher thread.</summary>
    void OnDurable(long durableTicket);
}

/// <summary>
/// Warren's embedded storage: a data folder with the definitions and one folder of segment files
/// per durable queue. One flusher thread makes appends durable in batches (group commit): it
/// writes every dirty buffer out, fsyncs the touched files once, then tells the listeners how
/// far durability reached, so many publishes share one fsync.
/// </summary>
public sealed class StorageEngine : IDisposable
{
    private readonly ILogger _logger;
    private readonly object _dirtyLock = new();
    private List<QueueStore> _dirty = new();
    private List<QueueStore> _spareDirty = new();
    private readonly List<IDurabilityListener> _listeners = new();
    private readonly SemaphoreSlim _wakeUp = new(0);
    private readonly Thread _flusher;
    // Appends are stamped with the current generation; each flush cycle closes one generation.
    private long _generation = 1;
    private long _durableTicket;
    private volatile bool _stopping;
    private bool _failed;

    /// <summary>Opens (creating if needed) the data folder at <paramref name="directory"/>.</summary>
    public StorageEngine(string directory, ILogger logger)
    {
        Directory = Path.GetFullPath(directory);
        _logger = logger;
        System.IO.Directory.CreateDirectory(QueuesDirectory);
        Definitions = new DefinitionsStore(Path.Combine(Directory, "definitions.json"));
        _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "warren-flusher" };
        _flusher.Start();
    }

    /// <summary>The data folder.</summary>
    public string Directory { get; }

    /// <summary>Durable exchanges, queues, bindings, virtual hosts and users.</summary>
    public DefinitionsStore Definitions { get; }

    /// <summary>A segment file is sealed past this size (16 MiB).</summary>
    public long SegmentSize { get; init; } = 16 * 1024 * 1024;

    /// <summary>A fully acknowledged open segment this large is dropped at once rather than kept for more appends (1 MiB).</summary>
    public long CompactThreshold { get; init; } = 1024 * 1024;

    /// <summary>
    /// A persistent queue keeps at most this many ready messages in memory (4096); past it, new
    /// messages stay on disk only and are paged in as consumers reach them.
    /// </summary>
    public int MaxLoadedMessages { get; init; } = 4096;

    /// <summary>A persistent queue keeps at most this many body bytes of ready messages in memory (8 MiB).</summary>
    public long MaxLoadedBytes { get; init; } = 8 * 1024 * 1024;

    private string QueuesDirectory => Path.Combine(Directory, "queues");

    /// <summary>The highest ticket known to be on disk.</summary>
    public long DurableTicket => Interlocked.Read(ref _durableTicket);


    /// <summary>The folder of a durable queue's messages: a hash of its virtual host and name, so any name is a valid path.</summary>
    internal QueueStore OpenQueue(string virtualHost, string queue) =>
        new(this, Path.Combine(QueuesDirectory, DefinitionsStore.QueueKey(virtualHost, queue)));

    /// <summary>
    /// Called by a store, under its own lock, right after buffering a record: puts the store in
    /// the next flush and returns the ticket (generation) that will cover the record. Stamping and
    /// the flusher's batch swap share one lock, so a batch holds every store stamped with its generation.
    /// </summary>
    internal long Stamp(QueueStore store)
    {
        bool wake;
        long ticket;
        lock (_dirtyLock)
        {
            ticket = _generation;
            if (store.InDirtyList) return ticket;
            store.InDirtyList = true;
            _dirty.Add(store);
            wake = _dirty.Count == 1; // otherwise the flusher was already woken for this batch
        }
        if (wake) _wakeUp.Release();
        return ticket;
    }

    /// <summary>Registers a listener for durability progress.</summary>
    public void AddListener(IDurabilityListener listener)
    {
        lock (_listeners) _listeners.Add(listener);
    }

    /// <summary>Unregisters a listener.</summary>
    public void RemoveListener(IDurabilityListener listener)
    {
        lock (_listeners) _listeners.Remove(listener);
    }

    private void FlushLoop()
    {
        var toSync = new List<RecordFile>();
        IDurabilityListener[] listeners = [];
        while (true)
        {
            _wakeUp.Wait();
            long target;
            List<QueueStore> batch;
            lock (_dirtyLock)
            {
                batch = _dirty;
                _dirty = _spareDirty;
                _spareDirty = batch;
                foreach (var store in batch) store.InDirtyList = false;
                target = _generation++;
            }
            try
            {
                foreach (var store in batch) store.WriteOut(toSync);
                foreach (var file in toSync)
                {
                    try
                    {
                        RandomAccess.FlushToDisk(file.Handle);
                    }
                    catch (ObjectDisposedException)
                    {
                        // The segment was deleted meanwhile: nothing left to make durable.
                    }
                }
            }
            catch (IOException e)
            {
                // What failed to reach the disk may still sit in buffers a later cycle would skip
                // over: durability stops advancing for good, so nothing unwritten is ever confirmed.
                _logger.LogCritical(e, "Writing to the data folder {Directory} failed; no further publishes will be confirmed until restart", Directory);
                _failed = true;
            }
            toSync.Clear();
            batch.Clear();
            if (!_failed)
            {
                Interlocked.Exchange(ref _durableTicket, target);
                lock (_listeners)
                {
                    if (listeners.Length != _listeners.Count) listeners = new IDurabilityListener[_listeners.Count];
                    _listeners.CopyTo(listeners);
                }
                foreach (var listener in listeners) listener.OnDurable(target);
            }
            if (_stopping)
            {
                lock (_dirtyLock)
                {
                    if (_dirty.Count == 0) return;
                }
            }
        }
    }

    /// <summary>Makes everything appended so far durable, then stops the flusher.</summary>
    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _wakeUp.Release();
        _flusher.Join(TimeSpan.FromSeconds(30));
        _wakeUp.Dispose();
    }
}
