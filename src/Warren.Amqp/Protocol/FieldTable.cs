using Warren.Broker.Messages;
using System.Buffers.Binary;
using System.Collections;

namespace Warren.Amqp.Protocol;

/// <summary>
/// AMQP field tables and field arrays with RabbitMQ's type letters (those RabbitMQ and every
/// client use, not the 0-9-1 spec's table, which disagrees on 's', 'u', 'i', 'l', ...). The CLR
/// type of each letter, RabbitMQ's names and how values compare are in <see cref="FieldValues"/>.
/// </summary>
/// <remarks>
/// <code>
/// table:  +-----------+------------------------------------------+
///         | size (u32)| (name: short string, type octet, value)* |
///         +-----------+------------------------------------------+
/// array:  +-----------+------------------------+
///         | size (u32)| (type octet, value)*   |
///         +-----------+------------------------+
/// </code>
/// Decoded CLR types: 't' bool, 'b' sbyte, 'B' byte, 's' short, 'u' ushort, 'I' int, 'i' uint,
/// 'l' long, 'L' ulong, 'f' float, 'd' double, 'D' decimal, 'S' byte[], 'A' List&lt;object?&gt;,
/// 'T' DateTimeOffset, 'F' Dictionary&lt;string, object?&gt;, 'V' null, 'x' <see cref="BinaryTableValue"/>.
/// Encoding also accepts string (as 'S'), ReadOnlyMemory&lt;byte&gt; ('S'), DateTime ('T'),
/// any IDictionary/IReadOnlyDictionary&lt;string, object?&gt; ('F') and any IList ('A').
/// A top-level empty table decodes as null; a nested one as an empty dictionary (null is 'V').
/// </remarks>
public static class FieldTable
{
    /// <summary>
    /// Tables and arrays nest at most this deep. Without a bound, a frame of nested 'F' values
    /// would overflow the stack and kill the process; no real client nests anywhere near this.
    /// </summary>
    public const int MaxDepth = 64;

    // ---- sizes ----------------------------------------------------------------------------

    /// <summary>Encoded size of a table, 4-byte length included.</summary>
    public static int GetSize(Dictionary<string, object?>? table) => GetSize(table, 0);

    /// <summary>Encoded size of a table, 4-byte length included.</summary>
    public static int GetSize(IReadOnlyDictionary<string, object?>? table) =>
        table is Dictionary<string, object?> d ? GetSize(d, 0) : GetSizeOfEntries(table, 0);

    /// <summary>Encoded size of an array, 4-byte length included.</summary>
    public static int GetArraySize(IList? array) => GetArraySize(array, 0);

    private static int GetSize(Dictionary<string, object?>? table, int depth)
    {
        CheckEncodeDepth(depth);
        int size = 4;
        if (table is null) return size;
        foreach (var (key, value) in table) size += WireWriter.ShortStringSize(key) + GetValueSize(value, depth);
        return size;
    }

    private static int GetSizeOfEntries(IEnumerable<KeyValuePair<string, object?>>? table, int depth)
    {
        CheckEncodeDepth(depth);
        int size = 4;
        if (table is null) return size;
        foreach (var (key, value) in table) size += WireWriter.ShortStringSize(key) + GetValueSize(value, depth);
        return size;
    }

    private static int GetArraySize(IList? array, int depth)
    {
        CheckEncodeDepth(depth);
        int size = 4;
        if (array is null) return size;
        for (int i = 0; i < array.Count; i++) size += GetValueSize(array[i], depth);
        return size;
    }

    /// <summary>Size of a value with its type octet.</summary>
    private static int GetValueSize(object? value, int depth) => 1 + value switch
    {
        null => 0,
        string s => WireWriter.LongStringSize(s),
        bool or sbyte or byte => 1,
        short or ushort => 2,
        int or uint or float => 4,
        long or ulong or double or DateTimeOffset or DateTime => 8,
        decimal => 5,
        byte[] bytes => 4 + bytes.Length,
        ReadOnlyMemory<byte> memory => 4 + memory.Length,
        BinaryTableValue binary => 4 + binary.Bytes.Length,
        Dictionary<string, object?> table => GetSize(table, depth + 1),
        IDictionary<string, object?> table => GetSizeOfEntries(table, depth + 1),
        IReadOnlyDictionary<string, object?> table => GetSizeOfEntries(table, depth + 1),
        IList list => GetArraySize(list, depth + 1),
        _ => throw Unsupported(value),
    };

    // ---- writing --------------------------------------------------------------------------

    /// <summary>Writes a table (null as an empty one); returns the bytes written.</summary>
    public static int Write(Span<byte> destination, Dictionary<string, object?>? table)
    {
        var writer = new WireWriter(destination);
        Write(ref writer, table);
        return writer.Position;
    }

    /// <summary>Writes a table (null as an empty one); returns the bytes written.</summary>
    public static int Write(Span<byte> destination, IReadOnlyDictionary<string, object?>? table)
    {
        var writer = new WireWriter(destination);
        Write(ref writer, table);
        return writer.Position;
    }

    /// <summary>Writes an array (null as an empty one); returns the bytes written.</summary>
    public static int WriteArray(Span<byte> destination, IList? array)
    {
        var writer = new WireWriter(destination);
        WriteArray(ref writer, array, 0);
        return writer.Position;
    }

    internal static void Write(ref WireWriter writer, Dictionary<string, object?>? table) => Write(ref writer, table, 0);

    internal static void Write(ref WireWriter writer, IReadOnlyDictionary<string, object?>? table)
    {
        if (table is Dictionary<string, object?> d) Write(ref writer, d, 0);
        else WriteEntries(ref writer, table, 0);
    }

    private static void Write(ref WireWriter writer, Dictionary<string, object?>? table, int depth)
    {
        CheckEncodeDepth(depth);
        var length = writer.Reserve(4);
        int start = writer.Position;
        if (table is not null)
        {
            foreach (var (key, value) in table)
            {
                writer.WriteShortString(key);
                WriteValue(ref writer, value, depth);
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)writer.BytesSince(start));
    }

    private static void WriteEntries(ref WireWriter writer, IEnumerable<KeyValuePair<string, object?>>? table, int depth)
    {
        CheckEncodeDepth(depth);
        var length = writer.Reserve(4);
        int start = writer.Position;
        if (table is not null)
        {
            foreach (var (key, value) in table)
            {
                writer.WriteShortString(key);
                WriteValue(ref writer, value, depth);
            }
        }
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)writer.BytesSince(start));
    }

    private static void WriteArray(ref WireWriter writer, IList? array, int depth)
    {
        CheckEncodeDepth(depth);
        var length = writer.Reserve(4);
        int start = writer.Position;
        if (array is not null)
        {
            for (int i = 0; i < array.Count; i++) WriteValue(ref writer, array[i], depth);
        }
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)writer.BytesSince(start));
    }

    private static void WriteValue(ref WireWriter writer, object? value, int depth)
    {
        switch (value)
        {
            case null:
                writer.WriteOctet((byte)'V');
                break;
            case string s:
                writer.WriteOctet((byte)'S');
                writer.WriteLongString(s);
                break;
            case bool b:
                writer.WriteOctet((byte)'t');
                writer.WriteOctet(b ? (byte)1 : (byte)0);
                break;
            case sbyte sb:
                writer.WriteOctet((byte)'b');
                writer.WriteOctet((byte)sb);
                break;
            case byte ub:
                writer.WriteOctet((byte)'B');
                writer.WriteOctet(ub);
                break;
            case short s16:
                writer.WriteOctet((byte)'s');
                writer.WriteShort((ushort)s16);
                break;
            case ushort u16:
                writer.WriteOctet((byte)'u');
                writer.WriteShort(u16);
                break;
            case int i32:
                writer.WriteOctet((byte)'I');
                writer.WriteLong((uint)i32);
                break;
            case uint u32:
                writer.WriteOctet((byte)'i');
                writer.WriteLong(u32);
                break;
            case long i64:
                writer.WriteOctet((byte)'l');
                writer.WriteLongLong((ulong)i64);
                break;
            case ulong u64:
                writer.WriteOctet((byte)'L');
                writer.WriteLongLong(u64);
                break;
            case float f:
                writer.WriteOctet((byte)'f');
                writer.WriteLong(BitConverter.SingleToUInt32Bits(f));
                break;
            case double d:
                writer.WriteOctet((byte)'d');
                writer.WriteLongLong(BitConverter.DoubleToUInt64Bits(d));
                break;
            case decimal m:
                writer.WriteOctet((byte)'D');
                WriteDecimal(ref writer, m);
                break;
            case DateTimeOffset dto:
                writer.WriteOctet((byte)'T');
                writer.WriteLongLong((ulong)dto.ToUnixTimeSeconds());
                break;
            case DateTime dt:
                writer.WriteOctet((byte)'T');
                writer.WriteLongLong((ulong)new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified
                    ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt).ToUnixTimeSeconds());
                break;
            case byte[] bytes:
                writer.WriteOctet((byte)'S');
                writer.WriteLongString(bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                writer.WriteOctet((byte)'S');
                writer.WriteLongString(memory.Span);
                break;
            case BinaryTableValue binary:
                writer.WriteOctet((byte)'x');
                writer.WriteLongString(binary.Bytes);
                break;
            case Dictionary<string, object?> table:
                writer.WriteOctet((byte)'F');
                Write(ref writer, table, depth + 1);
                break;
            case IDictionary<string, object?> table:
                writer.WriteOctet((byte)'F');
                WriteEntries(ref writer, table, depth + 1);
                break;
            case IReadOnlyDictionary<string, object?> table:
                writer.WriteOctet((byte)'F');
                WriteEntries(ref writer, table, depth + 1);
                break;
            case IList list:
                writer.WriteOctet((byte)'A');
                WriteArray(ref writer, list, depth + 1);
                break;
            default:
                throw Unsupported(value);
        }
    }

    /// <summary>'D': scale octet, then the unscaled value as a signed 32-bit integer (as the Java client).</summary>
    private static void WriteDecimal(ref WireWriter writer, decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        byte scale = (byte)((bits[3] >> 16) & 0xFF);
        bool negative = bits[3] < 0;
        long magnitude = (uint)bits[0];
        if (bits[1] != 0 || bits[2] != 0 || magnitude > (negative ? 0x8000_0000L : int.MaxValue))
        {
            throw new ArgumentException(
                $"The decimal {value} does not fit an AMQP decimal (a 32-bit unscaled value).", nameof(value));
        }
        writer.WriteOctet(scale);
        writer.WriteLong((uint)(int)(negative ? -magnitude : magnitude));
    }

    private static ArgumentException Unsupported(object value) =>
        new($"Field table values of type {value.GetType().FullName} are not supported; use bool, sbyte, byte, short, "
            + "ushort, int, uint, long, float, double, decimal, string, byte[], DateTimeOffset, a dictionary or a list.",
            nameof(value));

    private static void CheckEncodeDepth(int depth)
    {
        if (depth > MaxDepth) throw new ArgumentException($"Field tables nest at most {MaxDepth} deep (is there a cycle?).");
    }

    // ---- reading --------------------------------------------------------------------------

    /// <summary>
    /// Reads a table from the start of <paramref name="source"/>. Returns null for an empty table.
    /// </summary>
    public static Dictionary<string, object?>? Read(ReadOnlySpan<byte> source, out int bytesRead)
    {
        var reader = new WireReader(source);
        int length = reader.ReadLengthPrefix();
        bytesRead = 4 + length;
        return length == 0 ? null : ReadEntries(reader.ReadBytes(length), 0);
    }

    /// <summary>Reads an array from the start of <paramref name="source"/>.</summary>
    public static List<object?> ReadArray(ReadOnlySpan<byte> source, out int bytesRead)
    {
        var reader = new WireReader(source);
        int length = reader.ReadLengthPrefix();
        bytesRead = 4 + length;
        return ReadValues(reader.ReadBytes(length), 0);
    }

    private static Dictionary<string, object?> ReadEntries(ReadOnlySpan<byte> body, int depth)
    {
        var reader = new WireReader(body);
        var table = new Dictionary<string, object?>();
        while (reader.Remaining > 0)
        {
            string key = reader.ReadOpaqueShortString(); // RabbitMQ does not check keys either
            // A repeated key keeps the last value.
            table[key] = ReadValue(ref reader, depth);
        }
        return table;
    }

    private static List<object?> ReadValues(ReadOnlySpan<byte> body, int depth)
    {
        var reader = new WireReader(body);
        var list = new List<object?>();
        while (reader.Remaining > 0) list.Add(ReadValue(ref reader, depth));
        return list;
    }

    private static object? ReadValue(ref WireReader reader, int depth)
    {
        byte type = reader.ReadOctet();
        switch (type)
        {
            case (byte)'t': return reader.ReadOctet() != 0;
            case (byte)'b': return (sbyte)reader.ReadOctet();
            case (byte)'B': return reader.ReadOctet();
            case (byte)'s': return (short)reader.ReadShort();
            case (byte)'u': return reader.ReadShort();
            case (byte)'I': return (int)reader.ReadLong();
            case (byte)'i': return reader.ReadLong();
            case (byte)'l': return (long)reader.ReadLongLong();
            // RabbitMQ 3.10 accepts 'L' and reads it as a signed long; a ulong keeps it 'L' on the way out.
            case (byte)'L': return reader.ReadLongLong();
            case (byte)'f': return BitConverter.UInt32BitsToSingle(reader.ReadLong());
            case (byte)'d': return BitConverter.UInt64BitsToDouble(reader.ReadLongLong());
            case (byte)'D': return ReadDecimal(ref reader);
            case (byte)'S': return reader.ReadLongStringBytes();
            case (byte)'x': return new BinaryTableValue(reader.ReadLongStringBytes());
            case (byte)'T': return ReadTimestamp(ref reader);
            case (byte)'V': return null;
            case (byte)'F':
                CheckDecodeDepth(depth + 1);
                return ReadEntries(reader.ReadBytes(reader.ReadLengthPrefix()), depth + 1);
            case (byte)'A':
                CheckDecodeDepth(depth + 1);
                return ReadValues(reader.ReadBytes(reader.ReadLengthPrefix()), depth + 1);
            default:
                throw new AmqpDecodeException(
                    $"unknown field table type '{DescribeType(type)}' at offset {reader.Position - 1}");
        }
    }

    private static decimal ReadDecimal(ref WireReader reader)
    {
        byte scale = reader.ReadOctet();
        int unscaled = (int)reader.ReadLong();
        if (scale > 28) throw new AmqpDecodeException($"decimal scale {scale} is over 28");
        long magnitude = Math.Abs((long)unscaled);
        return new decimal((int)(uint)magnitude, 0, 0, unscaled < 0, scale);
    }

    private static DateTimeOffset ReadTimestamp(ref WireReader reader)
    {
        long seconds = (long)reader.ReadLongLong();
        if (seconds < DateTimeOffset.MinValue.ToUnixTimeSeconds() || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            throw new AmqpDecodeException($"timestamp {seconds} is out of range");
        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    private static void CheckDecodeDepth(int depth)
    {
        if (depth > MaxDepth) throw new AmqpDecodeException($"field tables nested deeper than {MaxDepth}");
    }

    private static string DescribeType(byte type) =>
        type is >= 0x21 and < 0x7F ? ((char)type).ToString() : "0x" + type.ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
}
