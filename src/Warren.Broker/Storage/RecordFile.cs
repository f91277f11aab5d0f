using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Warren.Broker.Storage;

/// <summary>
/// An append-only file of checksummed records with a write buffer. Appends go to the buffer;
/// <see cref="WriteOut"/> moves the buffer to the file (the page cache: it survives a killed
/// process); the storage engine's flusher then makes it durable with one fsync for many appends.
/// </summary>
/// <remarks>
/// <code>
/// +----------------+-------------------------+-------------------+
/// | length (u32 LE)| xxhash32(payload) (u32) | payload (length)  |
/// +----------------+-------------------------+-------------------+
/// </code>
/// Not thread-safe: its owner serialises access.
/// </remarks>
internal sealed class RecordFile : IDisposable
{
    public const int HeaderSize = 8;

    private byte[] _buffer = new byte[4096];
    private int _buffered;

    private RecordFile(string path, SafeFileHandle handle, long length)
    {
        Path = path;
        Handle = handle;
        Length = length;
    }

    public string Path { get; }

    public SafeFileHandle Handle { get; }

    /// <summary>Bytes in the file plus bytes buffered.</summary>
    public long Length { get; private set; }

    /// <summary>Bytes written out but not yet known to be on disk.</summary>
    public bool NeedsSync { get; set; }

    public bool HasBuffered => _buffered > 0;

    public static RecordFile Open(string path, long validLength)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        // Anything past the last valid record is a torn tail: cut it so new records follow valid ones.
        if (RandomAccess.GetLength(handle) != validLength) RandomAccess.SetLength(handle, validLength);
        return new RecordFile(path, handle, validLength);
    }

    public void Append(ReadOnlySpan<byte> payload) => Append(payload, []);

    /// <summary>Appends one record whose payload is <paramref name="head"/> then <paramref name="tail"/>.</summary>
    public void Append(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        var length = head.Length + tail.Length;
        var size = HeaderSize + length;
        if (_buffered + size > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _buffered + size));
        var target = _buffer.AsSpan(_buffered, size);
        BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)length);
        head.CopyTo(target[HeaderSize..]);
        tail.CopyTo(target[(HeaderSize + head.Length)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(target[4..], XxHash32.HashToUInt32(target[HeaderSize..]));
        _buffered += size;
        Length += size;
    }

    /// <summary>Writes the buffer to the file (one system call).</summary>
    public void WriteOut()
    {
        if (_buffered == 0) return;
        RandomAccess.Write(Handle, _buffer.AsSpan(0, _buffered), Length - _buffered);
        _buffered = 0;
        NeedsSync = true;
        if (_buffer.Length > 1 << 20) _buffer = new byte[4096];
    }

    public void Dispose() => Handle.Dispose();

    /// <summary>
    /// Reads every valid record from the start of a file, stopping at the first that is truncated,
    /// fails its checksum or is refused by <paramref name="onRecord"/> (given the record's offset
    /// and payload). Returns the length of the valid prefix.
    /// </summary>
    public static long ReadAll(string path, Func<long, ReadOnlyMemory<byte>, bool> onRecord)
    {
        if (!File.Exists(path)) return 0;
        var data = File.ReadAllBytes(path);
        var position = 0;
        while (TryParse(data.AsSpan(position), out var payload))
        {
            if (!onRecord(position, data.AsMemory(position + HeaderSize, payload.Length))) break;
            position += HeaderSize + payload.Length;
        }
        return position;
    }

    /// <summary>Parses the record at the start of <paramref name="data"/>; false when truncated or corrupt.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (data.Length < HeaderSize) return false;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (length == 0 || length > data.Length - HeaderSize) return false;
        payload = data.Slice(HeaderSize, (int)length);
        return XxHash32.HashToUInt32(payload) == checksum;
    }
}
