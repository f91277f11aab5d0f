using System.Buffers.Binary;
using Xunit;
using static Warren.Broker.Tests.Storage.StorageTestModel;

namespace Warren.Broker.Tests.Storage;

/// <summary>Crash leftovers in segment files: a torn or corrupt tail is cut, everything before it recovered.</summary>
public sealed class CorruptionTests
{
    private static TempDataDirectory QueueWithMessages(int count)
    {
        var data = new TempDataDirectory();
        using var broker = data.Open();
        var vhost = broker.Root();
        vhost.Declare("q", DurableQueue);
        for (var i = 0; i < count; i++) vhost.Publish("", Persistent($"m{i}"));
        return data;
    }

    /// <summary>The start offset of each record, walking the length fields.</summary>
    private static List<long> RecordOffsets(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = new List<long>();
        var position = 0;
        while (position + 8 <= bytes.Length)
        {
            offsets.Add(position);
            position += 8 + (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position));
        }
        Assert.Equal(bytes.Length, position);
        return offsets;
    }

    private static IEnumerable<string> Expected(int count) => Enumerable.Range(0, count).Select(i => $"m{i}");

    [Fact]
    public void A_torn_last_record_is_cut_and_every_record_before_it_recovered()
    {
        using var data = QueueWithMessages(10);
        var segment = Assert.Single(data.SegmentFiles());
        var length = new FileInfo(segment).Length;
        var lastRecord = RecordOffsets(segment)[^1];
        using (var file = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, lastRecord + (length - lastRecord) / 2);
        }

        using (var broker = data.Open())
        {
            Assert.Equal(lastRecord, new FileInfo(segment).Length);
            Assert.Equal(Expected(9), broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    [Fact]
    public void A_record_torn_inside_its_header_is_cut()
    {
        using var data = QueueWithMessages(3);
        var segment = Assert.Single(data.SegmentFiles());
        var lastRecord = RecordOffsets(segment)[^1];
        using (var file = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, lastRecord + 5);
        }

        using var broker = data.Open();
        Assert.Equal(lastRecord, new FileInfo(segment).Length);
        Assert.Equal(Expected(2), broker.Queue("q").TakeAll().Select(e => e.Text()));
    }

    [Fact]
    public void After_a_torn_tail_new_messages_follow_the_recovered_ones_and_survive_the_next_restart()
    {
        using var data = QueueWithMessages(10);
        var segment = Assert.Single(data.SegmentFiles());
        var length = new FileInfo(segment).Length;
        using (var file = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, length - 3);
        }

        using (var broker = data.Open())
        {
            broker.Root().Publish("", Persistent("after"));
        }

        using (var broker = data.Open())
        {
            Assert.Equal(Expected(9).Append("after"), broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    [Fact]
    public void A_bit_flip_in_the_last_record_drops_that_record_and_keeps_the_earlier_ones()
    {
        using var data = QueueWithMessages(10);
        var segment = Assert.Single(data.SegmentFiles());
        var lastRecord = RecordOffsets(segment)[^1];
        var bytes = File.ReadAllBytes(segment);
        var middle = (int)(lastRecord + 8 + (bytes.Length - lastRecord - 8) / 2);
        bytes[middle] ^= 0x04;
        File.WriteAllBytes(segment, bytes);

        using var broker = data.Open();
        Assert.Equal(lastRecord, new FileInfo(segment).Length);
        Assert.Equal(Expected(9), broker.Queue("q").TakeAll().Select(e => e.Text()));
    }

    [Fact]
    public void A_bit_flip_in_a_checksum_drops_that_record()
    {
        using var data = QueueWithMessages(4);
        var segment = Assert.Single(data.SegmentFiles());
        var lastRecord = RecordOffsets(segment)[^1];
        var bytes = File.ReadAllBytes(segment);
        bytes[lastRecord + 4] ^= 0x80;
        File.WriteAllBytes(segment, bytes);

        using var broker = data.Open();
        Assert.Equal(Expected(3), broker.Queue("q").TakeAll().Select(e => e.Text()));
    }

    [Fact]
    public void A_torn_acknowledgement_log_loses_at_most_the_torn_acknowledgement()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.Declare("q", DurableQueue);
            for (var i = 0; i < 5; i++) vhost.Publish("", Persistent($"m{i}"));
            Assert.True(queue.TryGet(noAck: true, out _, out _));
            Assert.True(queue.TryGet(noAck: true, out _, out _));
        }
        var acks = Path.ChangeExtension(Assert.Single(data.SegmentFiles()), ".acks");
        using (var file = File.OpenHandle(acks, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, RandomAccess.GetLength(file) - 2);
        }

        using var broker2 = data.Open();
        // m0's acknowledgement is intact; m1's was torn, so m1 is delivered again (at least once).
        Assert.Equal(["m1", "m2", "m3", "m4"], broker2.Queue("q").TakeAll().Select(e => e.Text()));
    }
}
