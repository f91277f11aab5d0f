using System.Buffers.Binary;
using System.Text;
using Warren.Broker.Text;

namespace Warren.Amqp.Protocol;

/// <summary>
/// Writes AMQP 0-9-1 primitive types (network byte order) into a span sized beforehand with the
/// size helpers (<see cref="ShortStringSize"/>, <see cref="LongStringSize(string?)"/>, <see cref="TableSize"/>).
/// A null string is written as an empty one.
/// </summary>
public ref struct WireWriter
{
    private readonly Span<byte> _buffer;

    public WireWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    public void WriteOctet(byte value) => _buffer[Position++] = value;

    /// <summary>Packs up to eight bit fields into one octet, the first field in the least significant bit.</summary>
    public void WriteBits(bool b0, bool b1 = false, bool b2 = false, bool b3 = false,
        bool b4 = false, bool b5 = false, bool b6 = false, bool b7 = false) =>
        WriteOctet((byte)((b0 ? 1 : 0) | (b1 ? 2 : 0) | (b2 ? 4 : 0) | (b3 ? 8 : 0)
            | (b4 ? 16 : 0) | (b5 ? 32 : 0) | (b6 ? 64 : 0) | (b7 ? 128 : 0)));

    public void WriteShort(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteLong(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void WriteLongLong(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        Position += 8;
    }

    /// <summary>A timestamp: seconds since the Unix epoch, 64 bits.</summary>
    public void WriteTimestamp(ulong value) => WriteLongLong(value);

    /// <summary>A short string: length octet, UTF-8 bytes (bytes a client sent come back as sent, see <see cref="OpaqueText"/>). Over 255 bytes throws <see cref="ArgumentException"/>.</summary>
    public void WriteShortString(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            WriteOctet(0);
            return;
        }
        int length = ShortStringSize(value) - 1;
        _buffer[Position] = (byte)length;
        OpaqueText.Encode(value, _buffer.Slice(Position + 1, length));
        Position += 1 + length;
    }

    public void WriteLongString(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            WriteLong(0);
            return;
        }
        int length = OpaqueText.Encode(value, _buffer[(Position + 4)..]);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], (uint)length);
        Position += 4 + length;
    }

    public void WriteLongString(byte[]? value) => WriteLongString(value.AsSpan());

    public void WriteLongString(ReadOnlySpan<byte> value)
    {
        WriteLong((uint)value.Length);
        WriteBytes(value);
    }

    /// <summary>A field table; null is written as an empty table.</summary>
    public void WriteTable(IReadOnlyDictionary<string, object?>? table) => FieldTable.Write(ref this, table);

    /// <summary>A field table; null is written as an empty table.</summary>
    public void WriteTable(Dictionary<string, object?>? table) => FieldTable.Write(ref this, table);

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    /// <summary>Space for a value written later (a length prefix).</summary>
    internal Span<byte> Reserve(int count)
    {
        var slice = _buffer.Slice(Position, count);
        Position += count;
        return slice;
    }

    internal readonly int BytesSince(int start) => Position - start;

    /// <summary>Encoded size of a short string, length octet included. Over 255 bytes throws <see cref="ArgumentException"/>.</summary>
    public static int ShortStringSize(string? value)
    {
        if (string.IsNullOrEmpty(value)) return 1;
        int length = OpaqueText.GetByteCount(value);
        if (length > byte.MaxValue)
        {
            throw new ArgumentException(
                $"A short string is at most 255 bytes of UTF-8; this one has {length}: '{value[..Math.Min(value.Length, 32)]}...'",
                nameof(value));
        }
        return 1 + length;
    }

    /// <summary>Encoded size of a long string, 4-byte length included.</summary>
    public static int LongStringSize(string? value) =>
        4 + (string.IsNullOrEmpty(value) ? 0 : OpaqueText.GetByteCount(value));

    /// <summary>Encoded size of a long string, 4-byte length included.</summary>
    public static int LongStringSize(byte[]? value) => 4 + (value?.Length ?? 0);

    /// <summary>Encoded size of a field table, 4-byte length included.</summary>
    public static int TableSize(Dictionary<string, object?>? table) => FieldTable.GetSize(table);

    /// <summary>Encoded size of a field table, 4-byte length included.</summary>
    public static int TableSize(IReadOnlyDictionary<string, object?>? table) => FieldTable.GetSize(table);
}
