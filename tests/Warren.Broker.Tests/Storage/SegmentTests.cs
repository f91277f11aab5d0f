using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker.Storage;
using Xunit;
using static Warren.Broker.Tests.Storage.StorageTestModel;

namespace Warren.Broker.Tests.Storage;

/// <summary>The queue store and engine directly: the broker builds its engine with the default sizes.</summary>
public sealed class SegmentTests
{
    private const int SegmentSize = 4096;
    private static readonly string Body = new('x', 200); // about 20 records a segment

    private static OpenQueue Open(TempDataDirectory data, long segmentSize = SegmentSize, long compactThreshold = 1 << 20) =>
        new(new StorageEngine(data.Path, NullLogger.Instance) { SegmentSize = segmentSize, CompactThreshold = compactThreshold });

    /// <summary>An engine with one queue store; disposing flushes and closes both, once.</summary>
    private sealed class OpenQueue(StorageEngine engine) : IDisposable
    {
        private bool _closed;

        public QueueStore Store { get; } = engine.OpenQueue("/", "q");

        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            engine.Dispose();
            Store.Close();
        }
    }

    private static long BytesOnDisk(QueueStore store) =>
        Directory.GetFiles(store.Directory).Sum(f => new FileInfo(f).Length);

    [Fact]
    public void Appends_past_the_segment_size_open_new_segments()
    {
        using var data = new TempDataDirectory();
        using (var queue = Open(data))
        {
            for (var i = 0; i < 100; i++) queue.Store.Append(i, Persistent(Body));
        }

        var segments = data.SegmentFiles();
        Assert.True(segments.Length >= 4, $"{segments.Length} segments");
        Assert.All(segments, s => Assert.True(new FileInfo(s).Length < SegmentSize + 512, $"{s}: {new FileInfo(s).Length} bytes"));
    }

    [Fact]
    public void Fully_acknowledged_segments_are_deleted_while_partly_acknowledged_ones_stay()
    {
        using var data = new TempDataDirectory();
        using (var queue = Open(data))
        {
            for (var i = 0; i < 100; i++) queue.Store.Append(i, Persistent(Body));
            var before = data.SegmentFiles();

            for (var i = 0; i < 50; i++) queue.Store.Ack(i);

            var after = data.SegmentFiles();
            Assert.True(after.Length < before.Length, $"{before.Length} segments before, {after.Length} after");
            Assert.Equal(before.TakeLast(after.Length), after); // the oldest went
        }

        using var reopened = Open(data);
        var recovered = reopened.Store.Recover(NullLogger.Instance);
        Assert.Equal(Enumerable.Range(50, 50).Select(i => (long)i), recovered.Select(m => m.Sequence));
    }

    [Fact]
    public void Disk_use_follows_the_backlog_not_the_total_published()
    {
        using var data = new TempDataDirectory();
        // A threshold no larger than the segment size: an open segment is dropped once settled.
        using var queue = Open(data, compactThreshold: SegmentSize / 2);
        var store = queue.Store;
        long sequence = 0, acked = 0;
        long largest = 0;
        // 2,000 messages of ~220 bytes (about 440 KB) pass through, with a backlog of at most 50.
        for (var round = 0; round < 40; round++)
        {
            for (var i = 0; i < 50; i++) store.Append(sequence++, Persistent(Body));
            largest = Math.Max(largest, BytesOnDisk(store));
            while (acked < sequence) store.Ack(acked++);
        }

        // 50 messages span at most four segments, plus the open one and the ack logs.
        Assert.True(largest < 6 * SegmentSize + 8192, $"{largest} bytes on disk at most");
        Assert.True(data.SegmentFiles().Length <= 2, $"{data.SegmentFiles().Length} segments left with an empty backlog");
    }

    [Fact]
    public void A_fully_acknowledged_open_segment_past_the_compaction_threshold_is_deleted_at_once()
    {
        using var data = new TempDataDirectory();
        using (var queue = Open(data, segmentSize: 1 << 20, compactThreshold: 1024))
        {
            for (var i = 0; i < 10; i++) queue.Store.Append(i, Persistent(Body));
            Assert.Single(data.SegmentFiles());

            for (var i = 0; i < 10; i++) queue.Store.Ack(i);

            Assert.Empty(data.SegmentFiles());
            // The queue goes on in a new segment.
            queue.Store.Append(10, Persistent("after"));
        }

        using var reopened = Open(data);
        var recovered = reopened.Store.Recover(NullLogger.Instance);
        var only = Assert.Single(recovered);
        Assert.Equal(10, only.Sequence);
    }

    [Fact]
    public void Acknowledged_messages_of_recovered_segments_are_still_deleted_after_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var queue = Open(data))
        {
            for (var i = 0; i < 100; i++) queue.Store.Append(i, Persistent(Body));
        }
        Assert.True(data.SegmentFiles().Length > 1);

        using (var queue = Open(data))
        {
            Assert.Equal(100, queue.Store.Recover(NullLogger.Instance).Count);
            for (var i = 0; i < 100; i++) queue.Store.Ack(i);
            Assert.Empty(data.SegmentFiles());
        }
    }

    [Fact]
    public void Disposing_the_storage_engine_twice_is_harmless()
    {
        using var data = new TempDataDirectory();
        var engine = new StorageEngine(data.Path, NullLogger.Instance);
        engine.Dispose();

        var second = Record.Exception(engine.Dispose);

        Assert.Null(second);
    }

    [Fact]
    public void Disposing_a_broker_with_a_data_folder_twice_is_harmless()
    {
        using var data = new TempDataDirectory();
        var broker = data.Open();
        broker.Dispose();

        var second = Record.Exception(broker.Dispose);

        Assert.Null(second);
    }
}
