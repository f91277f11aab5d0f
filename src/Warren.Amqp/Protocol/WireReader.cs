using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;
using Warren.Broker.Text;

namespace Warren.Amqp.Protocol;

/// <summary>
/// Reads AMQP 0-9-1 primitive types (network byte order) from a span. Running out of bytes
/// throws <see cref="AmqpDecodeException"/> (502 SYNTAX_ERROR), never an index exception.
/// </summary>
public ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public WireReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes left to read.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly ReadOnlySpan<byte> RemainingSpan => _buffer[_position..];

    public byte ReadOctet()
    {
        Ensure(1);
        return _buffer[_position++];
    }

    /// <summary>An octet of packed bit fields; test a field with <see cref="IsSet"/>.</summary>
    public byte ReadBits() => ReadOctet();

    /// <summary>True when bit <paramref name="index"/> (0 = first field, least significant) is set.</summary>
    public static bool IsSet(byte bits, int index) => (bits & (1 << index)) != 0;

    public ushort ReadShort()
    {
        Ensure(2);
        var value = BinaryPrimitives.ReadUInt16BigEndian(_buffer[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadLong()
    {
        Ensure(4);
        var value = BinaryPrimitives.ReadUInt32BigEndian(_buffer[_position..]);
        _position += 4;
        return value;
    }

    public ulong ReadLongLong()
    {
        Ensure(8);
        var value = BinaryPrimitives.ReadUInt64BigEndian(_buffer[_position..]);
        _position += 8;
        return value;
    }

    /// <summary>A timestamp: seconds since the Unix epoch, 64 bits.</summary>
    public ulong ReadTimestamp() => ReadLongLong();

    /// <summary>
    /// A short string that must be UTF-8, as every short string of a method's arguments is
    /// (names, tags, binding keys). Malformed UTF-8 throws what RabbitMQ 3.10 answers with:
    /// 501 FRAME_ERROR "Malformed UTF-8 in shortstr", a connection error.
    /// </summary>
    public string ReadShortString()
    {
        int length = ReadOctet();
        if (length == 0) return string.Empty;
        var bytes = ReadBytes(length);
        if (!Utf8.IsValid(bytes)) throw AmqpDecodeException.MalformedShortString();
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// A short string passed on byte for byte, whatever its bytes (basic.publish's exchange and
    /// routing key, message properties, field-table keys: RabbitMQ 3.10 checks none of them).
    /// Invalid UTF-8 is kept losslessly (<see cref="OpaqueText"/>).
    /// </summary>
    public string ReadOpaqueShortString()
    {
        int length = ReadOctet();
        return length == 0 ? string.Empty : OpaqueText.Decode(ReadBytes(length));
    }

    /// <summary>Skips a short string without decoding it (reserved fields).</summary>
    public void SkipShortString()
    {
        int length = ReadOctet();
        ReadBytes(length);
    }

    /// <summary>Skips a long string without copying it (reserved fields).</summary>
    public void SkipLongString() => ReadBytes(ReadLengthPrefix());

    public byte[] ReadLongStringBytes()
    {
        int length = ReadLengthPrefix();
        return length == 0 ? [] : ReadBytes(length).ToArray();
    }

    public string ReadLongStringAsString()
    {
        int length = ReadLengthPrefix();
        return length == 0 ? string.Empty : OpaqueText.Decode(ReadBytes(length));
    }

    /// <summary>
    /// A field table. Returns null for an empty table (length 0) so that the common case,
    /// no arguments, allocates nothing.
    /// </summary>
    public Dictionary<string, object?>? ReadTable()
    {
        var table = FieldTable.Read(_buffer[_position..], out int consumed);
        _position += consumed;
        return table;
    }

    /// <summary>The next <paramref name="count"/> bytes, without copying.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        Ensure(count);
        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>A 32-bit length prefix, checked against the bytes left.</summary>
    internal int ReadLengthPrefix()
    {
        uint length = ReadLong();
        if (length > (uint)Remaining) ThrowTruncated((int)Math.Min(length, int.MaxValue));
        return (int)length;
    }

    private readonly void Ensure(int count)
    {
        if (count < 0 || _buffer.Length - _position < count) ThrowTruncated(count);
    }

    [DoesNotReturn]
    private readonly void ThrowTruncated(int wanted) =>
        throw new AmqpDecodeException(
            $"truncated data: needed {wanted} more bytes at offset {_position}, {Remaining} left");
}
