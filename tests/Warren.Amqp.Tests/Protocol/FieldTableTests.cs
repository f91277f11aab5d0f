using Warren.Broker.Messages;
using FsCheck;
using FsCheck.Xunit;
using Warren.Amqp.Protocol;
using static Warren.Amqp.Tests.Bytes;

namespace Warren.Amqp.Tests.Protocol;

public sealed class FieldTableTests
{
    private static Dictionary<string, object?>? RoundTrip(IReadOnlyDictionary<string, object?>? table)
    {
        var buffer = new byte[FieldTable.GetSize(table)];
        Assert.Equal(buffer.Length, FieldTable.Write(buffer, table));
        var back = FieldTable.Read(buffer, out int read);
        Assert.Equal(buffer.Length, read);
        return back;
    }

    private static byte[] Encode(Dictionary<string, object?> table)
    {
        var buffer = new byte[FieldTable.GetSize(table)];
        FieldTable.Write(buffer, table);
        return buffer;
    }

    [Fact]
    public void Every_value_type_round_trips_to_its_documented_clr_type()
    {
        var table = new Dictionary<string, object?>
        {
            ["bool"] = true,
            ["sbyte"] = (sbyte)-5,
            ["byte"] = (byte)250,
            ["short"] = (short)-30000,
            ["ushort"] = (ushort)60000,
            ["int"] = -2_000_000_000,
            ["uint"] = 4_000_000_000u,
            ["long"] = long.MinValue,
            ["float"] = 1.5f,
            ["double"] = -2.25,
            ["decimal"] = 123.45m,
            ["negative decimal"] = -0.001m,
            ["bytes"] = new byte[] { 0, 1, 255 },
            ["array"] = new List<object?> { 1, "two", null, new List<object?> { false } },
            ["timestamp"] = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            ["table"] = new Dictionary<string, object?> { ["inner"] = (byte)1 },
            ["void"] = null,
            ["binary"] = new BinaryTableValue([9, 8, 7]),
        };
        var back = RoundTrip(table);
        Values.AssertEqual(table, back);
        Assert.IsType<List<object?>>(back!["array"]);
        Assert.IsType<Dictionary<string, object?>>(back["table"]);
        Assert.IsType<decimal>(back["decimal"]);
    }

    [Fact]
    public void Other_clr_types_are_encoded_as_their_amqp_equivalents()
    {
        var table = new Dictionary<string, object?>
        {
            ["string"] = "héllo",
            ["memory"] = new ReadOnlyMemory<byte>([1, 2]),
            ["object array"] = new object?[] { 1, "x" },
            ["string list"] = new List<string> { "a", "b" },
            ["sorted"] = new SortedDictionary<string, object?> { ["k"] = 1L },
        };
        var back = RoundTrip(table)!;
        Assert.Equal("héllo"u8.ToArray(), back["string"]);
        Assert.Equal(new byte[] { 1, 2 }, back["memory"]);
        Values.AssertEqual(new List<object?> { 1, "x" }, back["object array"]);
        Values.AssertEqual(new List<object?> { "a", "b" }, back["string list"]);
        Values.AssertEqual(new Dictionary<string, object?> { ["k"] = 1L }, back["sorted"]);
    }

    [Fact]
    public void A_bool_is_type_t_with_one_octet()
    {
        Assert.Equal(Of(U32(4), Short("a"), 't', 1), Encode(new() { ["a"] = true }));
    }

    [Fact]
    public void A_short_is_rabbitmq_type_s_and_an_unsigned_int_type_i()
    {
        Assert.Equal(Of(U32(5), Short("n"), 's', 0xFF, 0xFE), Encode(new() { ["n"] = (short)-2 }));
        Assert.Equal(Of(U32(7), Short("u"), 'i', U32(0xFFFFFFFF)), Encode(new() { ["u"] = uint.MaxValue }));
        Assert.Equal(Of(U32(11), Short("l"), 'l', U64(ulong.MaxValue)), Encode(new() { ["l"] = -1L }));
    }

    [Fact]
    public void A_decimal_is_a_scale_octet_and_a_32_bit_value()
    {
        Assert.Equal(Of(U32(8), Short("d"), 'D', 1, U32(15)), Encode(new() { ["d"] = 1.5m }));
    }

    [Fact]
    public void An_array_is_a_sized_list_of_typed_values()
    {
        // 'I' + 4 = 5, 'S' + 4 + 1 = 6: 11 bytes of values
        Assert.Equal(Of(U32(18), Short("l"), 'A', U32(11), 'I', U32(1), 'S', U32(1), 'x'),
            Encode(new() { ["l"] = new List<object?> { 1, "x" } }));
    }

    [Fact]
    public void A_timestamp_is_seconds_since_the_epoch()
    {
        Assert.Equal(Of(U32(11), Short("t"), 'T', U64(1)), Encode(new() { ["t"] = DateTimeOffset.FromUnixTimeSeconds(1) }));
    }

    [Fact]
    public void An_empty_table_reads_as_null_and_a_nested_empty_table_as_empty()
    {
        Assert.Null(FieldTable.Read(U32(0), out int read));
        Assert.Equal(4, read);
        var back = RoundTrip(new Dictionary<string, object?> { ["empty"] = new Dictionary<string, object?>() });
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(back!["empty"]));
    }

    [Fact]
    public void An_unknown_type_letter_is_a_syntax_error_naming_the_letter()
    {
        var error = Assert.Throws<AmqpDecodeException>(() => FieldTable.Read(Of(U32(3), Short("a"), 'Z'), out _));
        Assert.Equal(ReplyCode.SyntaxError, error.ReplyCode);
        Assert.Contains("'Z'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_table_longer_than_the_data_is_a_syntax_error()
    {
        var error = Assert.Throws<AmqpDecodeException>(() => FieldTable.Read(Of(U32(100), Short("a"), 't', 1), out _));
        Assert.Equal(ReplyCode.SyntaxError, error.ReplyCode);
    }

    [Fact]
    public void A_value_cut_short_inside_the_table_is_a_syntax_error()
    {
        Assert.Throws<AmqpDecodeException>(() => FieldTable.Read(Of(U32(4), Short("a"), 'I', 0), out _));
    }

    [Fact]
    public void Tables_nested_too_deep_are_refused_without_overflowing_the_stack()
    {
        // 10,000 nested 'F' values: each level is name "a", 'F', then a length covering the rest.
        const int depth = 10_000;
        var bytes = new byte[4 + depth * 7];
        for (int level = depth - 1; level >= 0; level--)
        {
            int at = level * 7;
            int innerLength = (depth - level) * 7;      // this level's entry and all deeper ones
            U32(innerLength).CopyTo(bytes, at);
            bytes[at + 4] = 1;
            bytes[at + 5] = (byte)'a';
            bytes[at + 6] = (byte)'F';
        }
        U32(0).CopyTo(bytes, depth * 7);
        Assert.Throws<AmqpDecodeException>(() => FieldTable.Read(bytes, out _));
    }

    [Fact]
    public void An_unsupported_clr_type_is_refused_naming_the_type()
    {
        var error = Assert.Throws<ArgumentException>(() => FieldTable.GetSize(new Dictionary<string, object?> { ["u"] = 'c' }));
        Assert.Contains("System.Char", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Encode(new() { ["g"] = Guid.Empty }));
    }

    [Fact]
    public void A_decimal_that_needs_more_than_32_bits_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Encode(new() { ["d"] = 10_000_000_000m }));
    }

    [Fact]
    public void The_smallest_negative_decimal_round_trips()
    {
        var table = new Dictionary<string, object?> { ["d"] = (decimal)int.MinValue / 100 };
        Values.AssertEqual(table, RoundTrip(table));
    }

    [Fact]
    public void A_repeated_key_keeps_the_last_value()
    {
        var table = FieldTable.Read(Of(U32(8), Short("a"), 't', 0, Short("a"), 't', 1), out _);
        Assert.Equal(true, table!["a"]);
    }

    [Property]
    public bool Random_tables_of_primitive_values_round_trip(
        bool[] bools, sbyte[] sbytes, short[] shorts, int[] ints, long[] longs, double[] doubles, float[] floats, string[] strings)
    {
        var table = new Dictionary<string, object?>();
        void Add<T>(string prefix, T[]? values)
        {
            for (int i = 0; values is not null && i < values.Length; i++) table[prefix + i] = values[i];
        }
        Add("t", bools);
        Add("b", sbytes);
        Add("s", shorts);
        Add("I", ints);
        Add("l", longs);
        Add("d", doubles);
        Add("f", floats);
        Add("S", strings);
        var back = RoundTrip(table);
        return table.Count == 0 ? back is null : Values.AreEqual(table, back);
    }

    [Property]
    public bool Random_keys_round_trip(NonNull<string>[] keys)
    {
        var table = new Dictionary<string, object?>();
        foreach (var key in keys)
        {
            // Keys are short strings; lone surrogates would not survive UTF-8, so keep valid text.
            string k = key.Get.Length > 60 ? key.Get[..60] : key.Get;
            if (!IsValidUtf16(k)) continue;
            table[k] = k.Length;
        }
        var back = RoundTrip(table);
        return table.Count == 0 ? back is null : Values.AreEqual(table, back);
    }

    private static bool IsValidUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(s[i])) return false;
        }
        return true;
    }

    [Fact]
    public void An_unsigned_long_field_reads_as_a_ulong_and_writes_back_byte_for_byte()
    {
        // 'L' (unsigned 64-bit) is accepted by RabbitMQ 3.10 and read as an integer; a table using it
        // must come back with the same tag and bits.
        byte[] wire = [0, 0, 0, 11, 1, (byte)'n', (byte)'L', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE];
        var table = FieldTable.Read(wire, out var read);
        Assert.Equal(wire.Length, read);
        Assert.Equal(ulong.MaxValue - 1, Assert.IsType<ulong>(table!["n"]));
        Assert.Equal(wire, Encode(table));
        Assert.True(FieldValues.TryGetInteger(table["n"], out var number));
        Assert.Equal(-2, number);
    }

    [Theory]
    [InlineData((byte)'b', "byte")]
    [InlineData((byte)'B', "unsignedbyte")]
    [InlineData((byte)'s', "short")]
    [InlineData((byte)'u', "unsignedshort")]
    [InlineData((byte)'I', "signedint")]
    [InlineData((byte)'i', "unsignedint")]
    [InlineData((byte)'l', "long")]
    [InlineData((byte)'L', "long")]
    public void Every_integer_tag_reads_as_an_integer_under_rabbitmqs_type_name(byte tag, string name)
    {
        var size = tag switch { (byte)'b' or (byte)'B' => 1, (byte)'s' or (byte)'u' => 2, (byte)'I' or (byte)'i' => 4, _ => 8 };
        var wire = new byte[4 + 3 + size];
        wire[3] = (byte)(3 + size);
        wire[4] = 1;
        wire[5] = (byte)'n';
        wire[6] = tag;
        wire[^1] = 7;
        var value = FieldTable.Read(wire, out _)!["n"];
        Assert.Equal(name, FieldValues.TypeName(value));
        Assert.True(FieldValues.TryGetInteger(value, out var number));
        Assert.Equal(7, number);
        Assert.Equal(wire, Encode(new Dictionary<string, object?> { ["n"] = value }));
    }
}
