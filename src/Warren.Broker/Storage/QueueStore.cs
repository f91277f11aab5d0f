using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Warren.Broker.Messages;

namespace Warren.Broker.Storage;

/// <summary>A persistent message recovered from disk.</summary>
/// <param name="Sequence">Its position in the queue.</param>
/// <param name="Message">The message, or null when left on disk (past the queue's memory budget).</param>
/// <param name="Delivered">It may have been delivered before the restart (redelivered flag).</param>
/// <param name="Location">Where it lies on disk.</param>
/// <param name="Size">Its size on disk, standing in for the body size of a message left there (x-max-length-bytes).</param>
public readonly record struct RecoveredMessage(long Sequence, Message? Message, bool Delivered, long Location, int Size = 0);

/// <summary>
/// The persistent messages of one durable queue: segment files of message records, each with a
/// companion log of acknowledgements and delivery marks. A segment is deleted once every message
/// in it is acknowledged, so disk use follows the live backlog.
/// </summary>
/// <remarks>
/// Files: <c>NNNNNNNN.msgs</c> (records: sequence u64 + serialised message) and <c>NNNNNNNN.acks</c>
/// (records: kind u8 + sequence u64; kind 1 = acknowledged, 2 = delivered). Thread-safe: the
/// queue calls under its own lock, the engine's flusher concurrently.
/// </remarks>
internal sealed class QueueStore
{
    private const byte AckRecord = 1;
    private const byte DeliveredRecord = 2;

    private readonly StorageEngine _engine;
    private readonly object _sync = new();
    private readonly List<Segment> _segments = new(); // in sequence order
    private int _nextSegmentId = 1;
    private bool _deleted;

    public QueueStore(StorageEngine engine, string directory)
    {
        _engine = engine;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }

    /// <summary>
    /// After <see cref="Recover"/>: the first sequence number never used, acknowledged records
    /// included, so new messages never land in an old segment's range.
    /// </summary>
    public long NextSequence { get; private set; }

    /// <summary>The engine's paging limits.</summary>
    public StorageEngine Engine => _engine;

    /// <summary>Guarded by the engine's dirty-list lock.</summary>
    internal bool InDirtyList { get; set; }

    /// <summary>
    /// Reads the queue's unacknowledged messages back, in order, cutting torn tails. The first
    /// <paramref name="loadBudget"/> are loaded; the rest stay on disk, known by location.
    /// </summary>
    public List<RecoveredMessage> Recover(ILogger logger, int loadBudget = int.MaxValue)
    {
        var recovered = new List<RecoveredMessage>();
        lock (_sync)
        {
            foreach (var path in System.IO.Directory.GetFiles(Directory, "*.msgs").Order(StringComparer.Ordinal))
            {
                if (!int.TryParse(Path.GetFileNameWithoutExtension(path), out var id)) continue;
                _nextSegmentId = Math.Max(_nextSegmentId, id + 1);
                var messages = new List<(long Sequence, long Offset, ReadOnlyMemory<byte> Payload)>();
                var fileLength = new FileInfo(path).Length;
                var validLength = RecordFile.ReadAll(path, (offset, payload) =>
                {
                    if (payload.Length < 8) return false;
                    var sequence = BinaryPrimitives.ReadInt64LittleEndian(payload.Span);
                    messages.Add((sequence, offset, payload));
                    NextSequence = Math.Max(NextSequence, sequence + 1);
                    return true;
                });
                if (validLength != fileLength)
                {
                    logger.LogWarning("Dropped {Bytes} bytes of torn or corrupt records at offset {Offset} of {Path}", fileLength - validLength, validLength, path);
                }
                var acked = new HashSet<long>();
                var delivered = new HashSet<long>();
                var ackPath = Path.ChangeExtension(path, ".acks");
                var ackFileLength = File.Exists(ackPath) ? new FileInfo(ackPath).Length : 0;
                var validAcks = RecordFile.ReadAll(ackPath, (_, payload) =>
                {
                    var span = payload.Span;
                    if (span.Length != 9) return false;
                    var sequence = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
                    if (span[0] == AckRecord) acked.Add(sequence);
                    else if (span[0] == DeliveredRecord) delivered.Add(sequence);
                    return true;
                });
                if (validAcks != ackFileLength)
                {
                    logger.LogWarning("Dropped {Bytes} bytes of torn or corrupt records at offset {Offset} of {Path}", ackFileLength - validAcks, validAcks, ackPath);
                }
                var live = 0;
                foreach (var (sequence, offset, payload) in messages)
                {
                    if (acked.Contains(sequence)) continue;
                    Message? message = null;
                    if (recovered.Count < loadBudget)
                    {
                        try
                        {
                            message = MessageSerializer.Deserialize(payload.Span[8..]);
                        }
                        catch (InvalidDataException e)
                        {
                            logger.LogError(e, "Dropped undecodable message {Sequence} in {Path}", sequence, path);
                            continue;
                        }
                    }
                    recovered.Add(new RecoveredMessage(sequence, message, delivered.Contains(sequence), Location(id, offset), payload.Length - 8));
                    live++;
                }
                if (messages.Count == 0 || live == 0)
                {
                    File.Delete(path);
                    File.Delete(ackPath);
                    continue;
                }
                var segment = new Segment(id, RecordFile.Open(path, validLength), RecordFile.Open(ackPath, validAcks))
                {
                    FirstSequence = messages[0].Sequence,
                    LastSequence = messages[^1].Sequence,
                    Count = messages.Count,
                    Acked = messages.Count - live,
                    Sealed = true, // new messages go to a new segment
                };
                _segments.Add(segment);
            }
        }
        return recovered;
    }

    private static long Location(int segmentId, long offset) => ((long)segmentId << 32) | offset;

    /// <summary>Appends a persistent message; returns the durability ticket that covers it and where it lies.</summary>
    public (long Ticket, long Location) Append(long sequence, Message message)
    {
        // Not cached on the message: the queue keeps the message, and a cached copy would hold its body twice.
        var stored = message.StoredForm ?? MessageSerializer.Serialize(message);
        lock (_sync)
        {
            if (_deleted) return (0, 0);
            var segment = _segments.Count > 0 ? _segments[^1] : null;
            if (segment is null || segment.Sealed || segment.Messages.Length >= _engine.SegmentSize)
            {
                if (segment is not null) segment.Sealed = true;
                segment = OpenSegment(sequence);
            }
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(prefix, sequence);
            var location = Location(segment.Id, segment.Messages.Length);
            segment.Messages.Append(prefix, stored);
            segment.LastSequence = sequence;
            segment.Count++;
            return (_engine.Stamp(this), location);
        }
    }

    /// <summary>
    /// Reads paged-out messages back by location (one read per run of neighbours). A record that
    /// fails its checksum comes back null and is logged: the disk changed under the broker.
    /// </summary>
    public void Load(ReadOnlySpan<long> locations, Message?[] messages)
    {
        lock (_sync)
        {
            var start = 0;
            while (start < locations.Length)
            {
                var segmentId = (int)(locations[start] >> 32);
                var end = start + 1;
                while (end < locations.Length && (int)(locations[end] >> 32) == segmentId) end++;
                var segment = _segments.Find(s => s.Id == segmentId);
                if (segment is null)
                {
                    start = end;
                    continue;
                }
                // Appends not yet written out may be among them.
                if (segment.Messages.HasBuffered) segment.Messages.WriteOut();
                LoadRun(segment.Messages, locations[start..end], messages.AsSpan(start, end - start));
                start = end;
            }
        }
    }

    private static void LoadRun(RecordFile file, ReadOnlySpan<long> locations, Span<Message?> messages)
    {
        var first = locations[0] & 0xFFFFFFFF;
        var last = locations[^1] & 0xFFFFFFFF;
        Span<byte> header = stackalloc byte[RecordFile.HeaderSize];
        if (RandomAccess.Read(file.Handle, header, last) < header.Length) return;
        var end = last + RecordFile.HeaderSize + BinaryPrimitives.ReadUInt32LittleEndian(header);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)(end - first));
        try
        {
            var read = RandomAccess.Read(file.Handle, buffer.AsSpan(0, (int)(end - first)), first);
            for (var i = 0; i < locations.Length; i++)
            {
                var at = (int)((locations[i] & 0xFFFFFFFF) - first);
                if (RecordFile.TryParse(buffer.AsSpan(at, read - at), out var payload) && payload.Length > 8)
                {
                    messages[i] = MessageSerializer.Deserialize(payload[8..]);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Records that a message was delivered (so a restart marks it redelivered).</summary>
    public void MarkDelivered(long sequence) => Log(sequence, DeliveredRecord);

    /// <summary>Records an acknowledgement; drops segments whose every message is acknowledged.</summary>
    public void Ack(long sequence) => Log(sequence, AckRecord);

    private void Log(long sequence, byte kind)
    {
        lock (_sync)
        {
            if (_deleted) return;
            var index = FindSegment(sequence);
            if (index < 0) return;
            var segment = _segments[index];
            Span<byte> record = stackalloc byte[9];
            record[0] = kind;
            BinaryPrimitives.WriteInt64LittleEndian(record[1..], sequence);
            segment.Acks.Append(record);
            if (kind == AckRecord && ++segment.Acked == segment.Count && (segment.Sealed || segment.Messages.Length >= _engine.CompactThreshold))
            {
                // Every message of this segment is settled: its space goes back now.
                _segments.RemoveAt(index);
                segment.Delete();
                return;
            }
            _engine.Stamp(this);
        }
    }

    private Segment OpenSegment(long firstSequence)
    {
        var id = _nextSegmentId++;
        var path = Path.Combine(Directory, $"{id:D8}.msgs");
        var segment = new Segment(id, RecordFile.Open(path, 0), RecordFile.Open(Path.ChangeExtension(path, ".acks"), 0))
        {
            FirstSequence = firstSequence,
            LastSequence = firstSequence,
        };
        _segments.Add(segment);
        return segment;
    }

    private int FindSegment(long sequence)
    {
        int low = 0, high = _segments.Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var segment = _segments[mid];
            if (sequence < segment.FirstSequence) high = mid - 1;
            else if (sequence > segment.LastSequence) low = mid + 1;
            else return mid;
        }
        return -1;
    }

    /// <summary>Flusher: writes buffers out under the lock and collects the files to fsync outside it.</summary>
    internal void WriteOut(List<RecordFile> toSync)
    {
        lock (_sync)
        {
            foreach (var segment in _segments)
            {
                segment.Messages.WriteOut();
                segment.Acks.WriteOut();
                if (segment.Messages.NeedsSync) toSync.Add(segment.Messages);
                if (segment.Acks.NeedsSync) toSync.Add(segment.Acks);
                segment.Messages.NeedsSync = segment.Acks.NeedsSync = false;
            }
        }
    }

    /// <summary>Deletes every file of the queue (the queue was deleted).</summary>
    public void Delete()
    {
        lock (_sync)
        {
            _deleted = true;
            foreach (var segment in _segments) segment.Delete();
            _segments.Clear();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover empty folder is harmless.
            }
        }
    }

    /// <summary>Closes files at shutdown (after the engine's last flush).</summary>
    public void Close()
    {
        lock (_sync)
        {
            foreach (var segment in _segments) segment.Close();
            _segments.Clear();
            _deleted = true;
        }
    }

    private sealed class Segment(int id, RecordFile messages, RecordFile acks)
    {
        public int Id { get; } = id;
        public RecordFile Messages { get; } = messages;
        public RecordFile Acks { get; } = acks;
        public long FirstSequence { get; set; }
        public long LastSequence { get; set; }
        public int Count { get; set; }
        public int Acked { get; set; }
        public bool Sealed { get; set; }

        public void Close()
        {
            Messages.Dispose();
            Acks.Dispose();
        }

        public void Delete()
        {
            Close();
            File.Delete(Messages.Path);
            File.Delete(Acks.Path);
        }
    }
}
