using System.Buffers.Binary;
using System.Collections;
using System.Text;
using Warren.Broker.Messages;
using Warren.Broker.Text;

namespace Warren.Broker.Storage;

/// <summary>
/// The on-disk form of a message: Warren's own storage format, versioned, independent of any wire
/// protocol. Values in header tables carry a one-byte type tag so they come back with their types.
/// </summary>
/// <remarks>
/// <code>
/// +---------+----------------+-------------------+------------+-----------+------------------+
/// | version | exchange (u8+) | routing key (u8+) | flags (u16)| props ... | body (u32 + ...) |
/// +---------+----------------+-------------------+------------+-----------+------------------+
/// </code>
/// Strings are UTF-8 with a u16 length (u8 for the two names, which are AMQP short strings).
/// </remarks>
internal static class MessageSerializer
{
    private const byte Version = 1;

    private enum Tag : byte
    {
        Null, Bool, SByte, Byte, Short, UShort, Int, UInt, Long, Float, Double, Decimal, Bytes, String, Timestamp, Table, List, Binary, ULong,
    }

    [Flags]
    private enum Present : ushort
    {
        ContentType = 1, ContentEncoding = 2, Headers = 4, DeliveryMode = 8, Priority = 16, CorrelationId = 32, ReplyTo = 64,
        Expiration = 128, MessageId = 256, Timestamp = 512, Type = 1024, UserId = 2048, AppId = 4096, ClusterId = 8192,
    }

    public static byte[] Serialize(Message message)
    {
        var writer = new Writer(64 + message.Body.Length);
        writer.U8(Version);
        writer.ShortName(message.Exchange);
        writer.ShortName(message.RoutingKey);
        var p = message.Properties;
        var present = (p.ContentType is null ? 0 : Present.ContentType) | (p.ContentEncoding is null ? 0 : Present.ContentEncoding)
            | (p.Headers is null ? 0 : Present.Headers) | (p.DeliveryMode is null ? 0 : Present.DeliveryMode)
            | (p.Priority is null ? 0 : Present.Priority) | (p.CorrelationId is null ? 0 : Present.CorrelationId)
            | (p.ReplyTo is null ? 0 : Present.ReplyTo) | (p.Expiration is null ? 0 : Present.Expiration)
            | (p.MessageId is null ? 0 : Present.MessageId) | (p.Timestamp is null ? 0 : Present.Timestamp)
            | (p.Type is null ? 0 : Present.Type) | (p.UserId is null ? 0 : Present.UserId)
            | (p.AppId is null ? 0 : Present.AppId) | (p.ClusterId is null ? 0 : Present.ClusterId);
        writer.U16((ushort)present);
        if (p.ContentType is { } contentType) writer.Str(contentType);
        if (p.ContentEncoding is { } contentEncoding) writer.Str(contentEncoding);
        if (p.Headers is { } headers) writer.Table(headers);
        if (p.DeliveryMode is { } deliveryMode) writer.U8(deliveryMode);
        if (p.Priority is { } priority) writer.U8(priority);
        if (p.CorrelationId is { } correlationId) writer.Str(correlationId);
        if (p.ReplyTo is { } replyTo) writer.Str(replyTo);
        if (p.Expiration is { } expiration) writer.Str(expiration);
        if (p.MessageId is { } messageId) writer.Str(messageId);
        if (p.Timestamp is { } timestamp) writer.U64(timestamp);
        if (p.Type is { } type) writer.Str(type);
        if (p.UserId is { } userId) writer.Str(userId);
        if (p.AppId is { } appId) writer.Str(appId);
        if (p.ClusterId is { } clusterId) writer.Str(clusterId);
        writer.Bytes(message.Body);
        return writer.ToArray();
    }

    /// <summary>Reads a message; throws <see cref="InvalidDataException"/> on bytes that do not decode.</summary>
    public static Message Deserialize(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Reader(data);
            if (reader.U8() != Version) throw new InvalidDataException("unknown message record version");
            var exchange = reader.ShortName();
            var routingKey = reader.ShortName();
            var present = (Present)reader.U16();
            var p = new MessageProperties();
            if (present.HasFlag(Present.ContentType)) p.ContentType = reader.Str();
            if (present.HasFlag(Present.ContentEncoding)) p.ContentEncoding = reader.Str();
            if (present.HasFlag(Present.Headers)) p.Headers = reader.Table();
            if (present.HasFlag(Present.DeliveryMode)) p.DeliveryMode = reader.U8();
            if (present.HasFlag(Present.Priority)) p.Priority = reader.U8();
            if (present.HasFlag(Present.CorrelationId)) p.CorrelationId = reader.Str();
            if (present.HasFlag(Present.ReplyTo)) p.ReplyTo = reader.Str();
            if (present.HasFlag(Present.Expiration)) p.Expiration = reader.Str();
            if (present.HasFlag(Present.MessageId)) p.MessageId = reader.Str();
            if (present.HasFlag(Present.Timestamp)) p.Timestamp = reader.U64();
            if (present.HasFlag(Present.Type)) p.Type = reader.Str();
            if (present.HasFlag(Present.UserId)) p.UserId = reader.Str();
            if (present.HasFlag(Present.AppId)) p.AppId = reader.Str();
            if (present.HasFlag(Present.ClusterId)) p.ClusterId = reader.Str();
            var body = reader.Bytes();
            return new Message(exchange, routingKey, p, body);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException("truncated message record", e);
        }
    }

    /// <summary>Serialises an argument table (for definitions).</summary>
    public static byte[] SerializeTable(IReadOnlyDictionary<string, object?> table)
    {
        var writer = new Writer(64);
        writer.Table(table);
        return writer.ToArray();
    }

    public static Dictionary<string, object?> DeserializeTable(ReadOnlySpan<byte> data) => new Reader(data).Table();

    private sealed class Writer(int capacity)
    {
        private byte[] _buffer = new byte[Math.Max(capacity, 16)];
        private int _length;

        public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        private Span<byte> Take(int count)
        {
            if (_length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
            var span = _buffer.AsSpan(_length, count);
            _length += count;
            return span;
        }

        public void U8(byte value) => Take(1)[0] = value;
        public void U16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);
        public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);
        public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

        public void ShortName(string value)
        {
            // Opaque text: a routing key or property stored as the client sent it comes back the same after a restart.
            var count = OpaqueText.GetByteCount(value);
            if (count > 255) throw new ArgumentException("name longer than 255 bytes", nameof(value));
            U8((byte)count);
            OpaqueText.Encode(value, Take(count));
        }

        public void Str(string value)
        {
            var count = OpaqueText.GetByteCount(value);
            U32((uint)count);
            OpaqueText.Encode(value, Take(count));
        }

        public void Bytes(ReadOnlySpan<byte> value)
        {
            U32((uint)value.Length);
            value.CopyTo(Take(value.Length));
        }

        public void Table(IEnumerable<KeyValuePair<string, object?>> table)
        {
            var countAt = _length;
            U32(0);
            uint count = 0;
            foreach (var (key, value) in table)
            {
                Str(key);
                Value(value);
                count++;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(countAt), count);
        }

        private void Value(object? value)
        {
            switch (value)
            {
                case null: U8((byte)Tag.Null); break;
                case bool v: U8((byte)Tag.Bool); U8(v ? (byte)1 : (byte)0); break;
                case sbyte v: U8((byte)Tag.SByte); U8((byte)v); break;
                case byte v: U8((byte)Tag.Byte); U8(v); break;
                case short v: U8((byte)Tag.Short); U16((ushort)v); break;
                case ushort v: U8((byte)Tag.UShort); U16(v); break;
                case int v: U8((byte)Tag.Int); U32((uint)v); break;
                case uint v: U8((byte)Tag.UInt); U32(v); break;
                case long v: U8((byte)Tag.Long); U64((ulong)v); break;
                case ulong v: U8((byte)Tag.ULong); U64(v); break;
                case float v: U8((byte)Tag.Float); U32(BitConverter.SingleToUInt32Bits(v)); break;
                case double v: U8((byte)Tag.Double); U64(BitConverter.DoubleToUInt64Bits(v)); break;
                case decimal v:
                    U8((byte)Tag.Decimal);
                    foreach (var part in decimal.GetBits(v)) U32((uint)part);
                    break;
                case byte[] v: U8((byte)Tag.Bytes); Bytes(v); break;
                case string v: U8((byte)Tag.String); Str(v); break;
                case DateTimeOffset v: U8((byte)Tag.Timestamp); U64((ulong)v.ToUnixTimeSeconds()); break;
                case DateTime v: U8((byte)Tag.Timestamp); U64((ulong)new DateTimeOffset(v.ToUniversalTime()).ToUnixTimeSeconds()); break;
                case BinaryTableValue v: U8((byte)Tag.Binary); Bytes(v.Bytes); break;
                case IEnumerable<KeyValuePair<string, object?>> v: U8((byte)Tag.Table); Table(v); break;
                case IList v:
                    U8((byte)Tag.List);
                    U32((uint)v.Count);
                    foreach (var item in v) Value(item);
                    break;
                default: throw new ArgumentException($"a header value of type {value.GetType()} cannot be stored", nameof(value));
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _position + count > _data.Length) throw new InvalidDataException("truncated message record");
            var span = _data.Slice(_position, count);
            _position += count;
            return span;
        }

        public byte U8() => Take(1)[0];
        public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
        public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
        public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
        public string ShortName() => OpaqueText.Decode(Take(U8()));
        public string Str() => OpaqueText.Decode(Take(checked((int)U32())));
        public byte[] Bytes() => Take(checked((int)U32())).ToArray();

        public Dictionary<string, object?> Table()
        {
            var count = U32();
            var table = new Dictionary<string, object?>((int)Math.Min(count, 1024));
            for (var i = 0u; i < count; i++)
            {
                var key = Str();
                table[key] = Value();
            }
            return table;
        }

        private object? Value() => (Tag)U8() switch
        {
            Tag.Null => null,
            Tag.Bool => U8() != 0,
            Tag.SByte => (sbyte)U8(),
            Tag.Byte => U8(),
            Tag.Short => (short)U16(),
            Tag.UShort => U16(),
            Tag.Int => (int)U32(),
            Tag.UInt => U32(),
            Tag.Long => (long)U64(),
            Tag.ULong => U64(),
            Tag.Float => BitConverter.UInt32BitsToSingle(U32()),
            Tag.Double => BitConverter.UInt64BitsToDouble(U64()),
            Tag.Decimal => new decimal([(int)U32(), (int)U32(), (int)U32(), (int)U32()]),
            Tag.Bytes => Bytes(),
            Tag.String => Str(),
            Tag.Timestamp => DateTimeOffset.FromUnixTimeSeconds((long)U64()),
            Tag.Binary => new BinaryTableValue(Bytes()),
            Tag.Table => Table(),
            Tag.List => List(),
            var tag => throw new InvalidDataException($"unknown value tag {(byte)tag}"),
        };

        private List<object?> List()
        {
            var count = U32();
            var list = new List<object?>((int)Math.Min(count, 1024));
            for (var i = 0u; i < count; i++) list.Add(Value());
            return list;
        }
    }
}
