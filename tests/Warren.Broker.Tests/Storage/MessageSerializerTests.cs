using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warren.Broker.Messages;
using Warren.Broker.Storage;
using Xunit;

namespace Warren.Broker.Tests.Storage;

public sealed class MessageSerializerTests
{
    private static Message RoundTrip(Message message) => MessageSerializer.Deserialize(MessageSerializer.Serialize(message));

    [Fact]
    public void Text_that_is_not_utf8_survives_a_restart_byte_for_byte()
    {
        // As a client sent them: a 255-byte routing key of 0xFF and a content type with a dangling lead byte.
        var key = Warren.Broker.Text.OpaqueText.Decode(Enumerable.Repeat((byte)0xFF, 255).ToArray());
        var contentType = Warren.Broker.Text.OpaqueText.Decode(new byte[] { (byte)'x', 0xC3 });

        var back = RoundTrip(new Message("", key, new MessageProperties { ContentType = contentType }, [1]));

        Assert.Equal(Enumerable.Repeat((byte)0xFF, 255), Warren.Broker.Text.OpaqueText.GetBytes(back.RoutingKey));
        Assert.Equal(new byte[] { (byte)'x', 0xC3 }, Warren.Broker.Text.OpaqueText.GetBytes(back.Properties.ContentType!));
    }

    [Fact]
    public void Every_property_survives_a_round_trip()
    {
        var properties = new MessageProperties
        {
            ContentType = "application/json",
            ContentEncoding = "gzip",
            Headers = new Dictionary<string, object?> { ["h"] = "v" },
            DeliveryMode = 2,
            Priority = 9,
            CorrelationId = "corr-1",
            ReplyTo = "amq.rabbitmq.reply-to",
            Expiration = "60000",
            MessageId = "msg-1",
            Timestamp = 1_700_000_000,
            Type = "order.placed",
            UserId = "guest",
            AppId = "billing",
            ClusterId = "cluster-é",
        };

        var back = RoundTrip(new Message("orders", "orders.placed", properties, [1, 2, 3]));

        Assert.Equal("orders", back.Exchange);
        Assert.Equal("orders.placed", back.RoutingKey);
        Assert.Equal(new byte[] { 1, 2, 3 }, back.Body);
        var p = back.Properties;
        Assert.Equal(properties.ContentType, p.ContentType);
        Assert.Equal(properties.ContentEncoding, p.ContentEncoding);
        Assert.Equal(properties.Headers, p.Headers);
        Assert.Equal(properties.DeliveryMode, p.DeliveryMode);
        Assert.Equal(properties.Priority, p.Priority);
        Assert.Equal(properties.CorrelationId, p.CorrelationId);
        Assert.Equal(properties.ReplyTo, p.ReplyTo);
        Assert.Equal(properties.Expiration, p.Expiration);
        Assert.Equal(properties.MessageId, p.MessageId);
        Assert.Equal(properties.Timestamp, p.Timestamp);
        Assert.Equal(properties.Type, p.Type);
        Assert.Equal(properties.UserId, p.UserId);
        Assert.Equal(properties.AppId, p.AppId);
        Assert.Equal(properties.ClusterId, p.ClusterId);
    }

    [Fact]
    public void Absent_properties_stay_absent_and_empty_strings_stay_empty()
    {
        var back = RoundTrip(new Message("", "", new MessageProperties { MessageId = "", Headers = new() }, []));

        var p = back.Properties;
        Assert.Equal("", p.MessageId);
        Assert.NotNull(p.Headers);
        Assert.Empty(p.Headers);
        Assert.Null(p.ContentType);
        Assert.Null(p.DeliveryMode);
        Assert.Null(p.Timestamp);
        Assert.Empty(back.Body);
    }

    [Fact]
    public void Every_header_value_type_comes_back_with_its_type()
    {
        var headers = new Dictionary<string, object?>
        {
            ["void"] = null,
            ["bool"] = true,
            ["sbyte"] = (sbyte)-5,
            ["byte"] = (byte)250,
            ["short"] = (short)-30000,
            ["ushort"] = (ushort)60000,
            ["int"] = -2_000_000_000,
            ["uint"] = 4_000_000_000u,
            ["long"] = long.MinValue,
            ["float"] = 1.5f,
            ["double"] = Math.PI,
            ["decimal"] = 123.456m,
            ["bytes"] = new byte[] { 0, 255, 7 },
            ["string"] = "naïve ☃",
            ["timestamp"] = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
            ["binary"] = new BinaryTableValue([9, 8, 7]),
            ["table"] = new Dictionary<string, object?> { ["inner"] = 1L, ["deeper"] = new Dictionary<string, object?> { ["x"] = "y" } },
            ["list"] = new List<object?> { 1, "two", null, new List<object?> { 3L } },
        };

        var back = RoundTrip(new Message("", "", new MessageProperties { Headers = headers }, [])).Properties.Headers!;

        Assert.Equal(headers.Keys, back.Keys);
        foreach (var (key, value) in headers)
        {
            Assert.Equal(value?.GetType(), back[key]?.GetType());
        }
        Assert.Equal(headers["bytes"], back["bytes"]);
        Assert.Equal(((BinaryTableValue)headers["binary"]!).Bytes, ((BinaryTableValue)back["binary"]!).Bytes);
        foreach (var key in headers.Keys.Except(["bytes", "binary", "table", "list"])) Assert.Equal(headers[key], back[key]);
        var table = (Dictionary<string, object?>)back["table"]!;
        Assert.Equal(1L, table["inner"]);
        Assert.Equal("y", ((Dictionary<string, object?>)table["deeper"]!)["x"]);
        var list = (List<object?>)back["list"]!;
        Assert.Equal(1, list[0]);
        Assert.Equal("two", list[1]);
        Assert.Null(list[2]);
        Assert.Equal(3L, Assert.IsType<List<object?>>(list[3])[0]);
    }

    [Fact]
    public void A_truncated_record_is_refused_as_invalid_data()
    {
        var bytes = MessageSerializer.Serialize(new Message("x", "k", new MessageProperties { MessageId = "abc" }, new byte[100]));

        for (var cut = 0; cut < bytes.Length; cut += 7)
        {
            Assert.Throws<InvalidDataException>(() => MessageSerializer.Deserialize(bytes.AsSpan(0, cut)));
        }
    }

    // Scalar header values of every type the store knows, including edge values.
    private static readonly Gen<object?> ScalarValue = Gen.OneOf(
        Gen.Constant<object?>(null),
        ArbMap.Default.GeneratorFor<bool>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<sbyte>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<byte>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<short>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<ushort>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<int>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<uint>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<long>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<NormalFloat>().Select(v => (object?)(float)v.Get),
        ArbMap.Default.GeneratorFor<NormalFloat>().Select(v => (object?)v.Get),
        ArbMap.Default.GeneratorFor<decimal>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<byte[]>().Select(v => (object?)v),
        ArbMap.Default.GeneratorFor<NonNull<string>>().Select(v => (object?)v.Get),
        Gen.Choose(0, int.MaxValue).Select(v => (object?)DateTimeOffset.FromUnixTimeSeconds(v)));

    private static readonly Gen<string> Key = ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => s.Get);

    private static readonly Arbitrary<Dictionary<string, object?>> Headers =
        Gen.ListOf(Key.SelectMany(_ => ScalarValue, (k, v) => (k, v)))
            .Select(pairs =>
            {
                var table = new Dictionary<string, object?>();
                foreach (var (k, v) in pairs) table[k] = v;
                table["nested"] = new Dictionary<string, object?>(table);
                table["list"] = pairs.Select(p => p.v).ToList();
                return table;
            })
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Random_header_tables_come_back_equal_value_by_value_and_type_by_type() =>
        Prop.ForAll(Headers, headers =>
        {
            var back = RoundTrip(new Message("", "", new MessageProperties { Headers = headers }, [])).Properties.Headers!;
            return DeepEqual(headers, back);
        });

    private static bool DeepEqual(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (byte[] e, byte[] a) => e.AsSpan().SequenceEqual(a),
        (Dictionary<string, object?> e, Dictionary<string, object?> a) =>
            e.Count == a.Count && e.All(kv => a.TryGetValue(kv.Key, out var v) && DeepEqual(kv.Value, v)),
        (List<object?> e, List<object?> a) => e.Count == a.Count && e.Zip(a).All(p => DeepEqual(p.First, p.Second)),
        (float e, float a) => BitConverter.SingleToUInt32Bits(e) == BitConverter.SingleToUInt32Bits(a),
        (double e, double a) => BitConverter.DoubleToUInt64Bits(e) == BitConverter.DoubleToUInt64Bits(a),
        (decimal e, decimal a) => decimal.GetBits(e).SequenceEqual(decimal.GetBits(a)),
        _ => expected!.GetType() == actual?.GetType() && expected.Equals(actual),
    };
}
