using Warren.Amqp.Protocol;
using Warren.Broker.Messages;
using static Warren.Amqp.Tests.Bytes;

namespace Warren.Amqp.Tests.Protocol;

public sealed class ContentHeaderTests
{
    private static byte[] Write(ulong bodySize, MessageProperties properties)
    {
        var buffer = new byte[ContentHeader.GetSize(properties)];
        Assert.Equal(buffer.Length, ContentHeader.Write(buffer, AmqpClassId.Basic, bodySize, properties));
        return buffer;
    }

    [Fact]
    public void Every_property_round_trips()
    {
        var properties = new MessageProperties
        {
            ContentType = "application/json",
            ContentEncoding = "gzip",
            Headers = new() { ["x-retries"] = 3, ["trace"] = "abc" },
            DeliveryMode = 2,
            Priority = 9,
            CorrelationId = "corr",
            ReplyTo = "amq.rabbitmq.reply-to",
            Expiration = "60000",
            MessageId = "id-1",
            Timestamp = 1_700_000_000,
            Type = "order.created",
            UserId = "guest",
            AppId = "shop",
            ClusterId = "c1",
        };
        var (bodySize, back) = ContentHeader.Read(Write(123_456_789_012, properties));
        Assert.Equal(123_456_789_012UL, bodySize);
        foreach (var property in typeof(MessageProperties).GetProperties())
            Values.AssertEqual(property.GetValue(properties), property.GetValue(back));
    }

    [Fact]
    public void No_properties_is_a_zero_flag_word()
    {
        byte[] expected = Of(U16(60), U16(0), U64(10), U16(0));
        Assert.Equal(expected, Write(10, MessageProperties.Empty));
        var (bodySize, back) = ContentHeader.Read(expected);
        Assert.Equal(10UL, bodySize);
        foreach (var property in typeof(MessageProperties).GetProperties().Where(p => p.CanWrite))
            Assert.Null(property.GetValue(back));
    }

    [Fact]
    public void Content_type_and_delivery_mode_set_flag_bits_15_and_12()
    {
        var properties = new MessageProperties { ContentType = "text/plain", DeliveryMode = 2 };
        byte[] expected = Of(U16(60), U16(0), U64(5), 0x90, 0x00, Short("text/plain"), 2);
        Assert.Equal(expected, Write(5, properties));
    }

    [Fact]
    public void Headers_and_timestamp_are_written_as_a_table_and_a_64_bit_value()
    {
        var properties = new MessageProperties { Headers = new() { ["a"] = true }, Timestamp = 1 };
        byte[] expected = Of(U16(60), U16(0), U64(0), 0x20, 0x40, U32(4), Short("a"), 't', 1, U64(1));
        Assert.Equal(expected, Write(0, properties));
    }

    [Fact]
    public void An_empty_headers_table_stays_a_table()
    {
        var (_, back) = ContentHeader.Read(Write(0, new MessageProperties { Headers = [] }));
        Assert.NotNull(back.Headers);
        Assert.Empty(back.Headers);
    }

    [Fact]
    public void A_continuation_flag_word_is_read_and_skipped()
    {
        byte[] bytes = Of(U16(60), U16(0), U64(1), 0x80, 0x01, U16(0), Short("text/plain"));
        Assert.Equal("text/plain", ContentHeader.Read(bytes).Properties.ContentType);
    }

    [Fact]
    public void A_flag_for_an_unknown_property_is_a_syntax_error()
    {
        var error = Assert.Throws<AmqpDecodeException>(() => ContentHeader.Read(Of(U16(60), U16(0), U64(1), U16(0b10))));
        Assert.Equal(ReplyCode.SyntaxError, error.ReplyCode);
    }

    [Fact]
    public void A_header_for_another_class_is_an_unexpected_frame()
    {
        byte[] bytes = Of(U16(50), U16(0), U64(1), U16(0));
        Assert.Equal(50, ContentHeader.ReadClassId(bytes));
        var error = Assert.Throws<AmqpDecodeException>(() => ContentHeader.Read(bytes));
        Assert.Equal(ReplyCode.UnexpectedFrame, error.ReplyCode);
    }

    [Fact]
    public void A_property_cut_short_is_a_syntax_error()
    {
        Assert.Throws<AmqpDecodeException>(() => ContentHeader.Read(Of(U16(60), U16(0), U64(1), 0x80, 0x00, 5, "ab")));
    }
}
