using System.Text;
using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class MessageTests(BrokerTarget target) : InteropTest(target)
{
    [Theory]
    [InlineData(0)]
    [InlineData(131072 - 8)]
    [InlineData(131072 - 7)]
    [InlineData(1024 * 1024)]
    public async Task A_body_of_any_size_arrives_intact(int size)
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var body = new byte[size];
        Random.Shared.NextBytes(body);

        await ch.BasicPublishAsync("", q, body, Ct);
        var consumer = await ConsumeAsync(ch, q, autoAck: true);

        Assert.Equal(body, (await consumer.NextAsync()).Body);
    }

    [Fact]
    public async Task Every_basic_property_round_trips()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var sent = new BasicProperties
        {
            ContentType = "application/json",
            ContentEncoding = "gzip",
            Headers = new Dictionary<string, object?> { ["h"] = "v" },
            DeliveryMode = DeliveryModes.Persistent,
            Priority = 7,
            CorrelationId = "corr-1",
            ReplyTo = "reply-queue",
            Expiration = "60000",
            MessageId = "msg-1",
            Timestamp = new AmqpTimestamp(1_700_000_000),
            Type = "order.created",
            UserId = "guest", // RabbitMQ checks it against the authenticated user
            AppId = "warren-interop",
            ClusterId = "cluster-1",
        };

        await PublishAsync(ch, "", q, "{}", sent);
        var got = (await (await ConsumeAsync(ch, q, autoAck: true)).NextAsync()).Properties;

        Assert.Equal(
            (sent.ContentType, sent.ContentEncoding, sent.DeliveryMode, sent.Priority, sent.CorrelationId, sent.ReplyTo,
                sent.Expiration, sent.MessageId, sent.Timestamp, sent.Type, sent.UserId, sent.AppId, sent.ClusterId),
            (got.ContentType, got.ContentEncoding, got.DeliveryMode, got.Priority, got.CorrelationId, got.ReplyTo,
                got.Expiration, got.MessageId, got.Timestamp, got.Type, got.UserId, got.AppId, got.ClusterId));
        Assert.Equal("v"u8.ToArray(), got.Headers!["h"]);
    }

    [Fact]
    public async Task A_user_id_other_than_the_authenticated_user_is_refused()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var q = await DeclareQueueAsync(ch);

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, "", q, "m", new BasicProperties { UserId = "mallory" }));

        AssertClose(reason, 406, "PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was 'guest'", 60, 40);
    }

    [Fact]
    public async Task Header_values_of_every_field_type_round_trip()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var headers = new Dictionary<string, object?>
        {
            ["string"] = "text é",
            ["int"] = -42,
            ["long"] = long.MaxValue,
            ["bool"] = true,
            ["double"] = 3.25,
            ["float"] = 1.5f,
            ["short"] = (short)-7,
            ["sbyte"] = (sbyte)-3,
            ["bytes"] = new byte[] { 0, 1, 254, 255 },
            ["binary"] = new BinaryTableValue([9, 8, 7]),
            ["timestamp"] = new AmqpTimestamp(1_700_000_000),
            ["decimal"] = 12.345m,
            ["void"] = null,
            ["table"] = new Dictionary<string, object?> { ["inner"] = 1, ["deeper"] = new Dictionary<string, object?> { ["x"] = "y" } },
            ["array"] = new List<object?> { 1, "two", true, new List<object?> { 3L } },
        };

        await PublishAsync(ch, "", q, "typed", new BasicProperties { Headers = headers });
        var got = (await (await ConsumeAsync(ch, q, autoAck: true)).NextAsync()).Properties.Headers!;

        // How RabbitMQ.Client reads back what it wrote: strings arrive as byte[] (longstr).
        Assert.Equal(Encoding.UTF8.GetBytes("text é"), got["string"]);
        Assert.Equal(-42, got["int"]);
        Assert.Equal(long.MaxValue, got["long"]);
        Assert.Equal(true, got["bool"]);
        Assert.Equal(3.25, got["double"]);
        Assert.Equal(1.5f, got["float"]);
        Assert.Equal((short)-7, got["short"]);
        Assert.Equal((sbyte)-3, got["sbyte"]);
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, got["bytes"]);
        Assert.Equal(new byte[] { 9, 8, 7 }, Assert.IsType<BinaryTableValue>(got["binary"]).Bytes);
        Assert.Equal(new AmqpTimestamp(1_700_000_000), got["timestamp"]);
        Assert.Equal(12.345m, got["decimal"]);
        Assert.Null(got["void"]);
        var table = Assert.IsType<Dictionary<string, object?>>(got["table"]);
        Assert.Equal(1, table["inner"]);
        Assert.Equal("y"u8.ToArray(), Assert.IsType<Dictionary<string, object?>>(table["deeper"])["x"]);
        var array = Assert.IsType<List<object?>>(got["array"]);
        Assert.Equal(1, array[0]);
        Assert.Equal("two"u8.ToArray(), array[1]);
        Assert.Equal(true, array[2]);
        Assert.Equal(3L, Assert.IsType<List<object?>>(array[3])[0]);
        Assert.Equal(headers.Count, got.Count);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class MessageTests_on_Warren(WarrenFixture f) : MessageTests(f.Target);

public sealed class MessageTests_on_RabbitMq(RabbitMqFixture f) : MessageTests(f.Target);
