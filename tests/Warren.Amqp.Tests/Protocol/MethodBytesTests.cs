using Warren.Amqp.Protocol;
using static Warren.Amqp.Tests.Bytes;

namespace Warren.Amqp.Tests.Protocol;

/// <summary>The exact bytes of representative methods, worked out by hand from the spec.</summary>
public sealed class MethodBytesTests
{
    [Fact]
    public void Connection_tune_is_written_as_channel_max_frame_max_heartbeat()
    {
        var tune = new ConnectionTune(AmqpConstants.DefaultChannelMax, AmqpConstants.DefaultFrameMax, AmqpConstants.DefaultHeartbeat);
        byte[] expected = Of(
            U16(10), U16(30),       // connection.tune
            U16(2047),              // channel-max
            U32(131072),            // frame-max
            U16(60));               // heartbeat
        Assert.Equal(expected, MethodAssert.Write(tune));
    }

    [Fact]
    public void Connection_start_ok_is_written_with_its_table_and_long_string_response()
    {
        var startOk = new ConnectionStartOk(
            new Dictionary<string, object?> { ["product"] = "Warren" }, "PLAIN", "\0guest\0guest"u8.ToArray(), "en_US");
        byte[] expected = Of(
            U16(10), U16(11),
            U32(19), Short("product"), 'S', U32(6), "Warren",   // client-properties: 1+7 + 1 + 4+6 = 19
            Short("PLAIN"),                                     // mechanism
            U32(12), 0, "guest", 0, "guest",                    // response
            Short("en_US"));                                    // locale
        Assert.Equal(expected, MethodAssert.Write(startOk));
        MethodAssert.AssertEqual(startOk, ConnectionStartOk.ReadFrom(expected.AsSpan(4)));
    }

    [Fact]
    public void Connection_open_writes_the_reserved_fields_as_zeros()
    {
        byte[] expected = Of(U16(10), U16(40), Short("/"), 0 /* reserved-1 */, 0 /* reserved-2 bit */);
        Assert.Equal(expected, MethodAssert.Write(new ConnectionOpen("/")));
    }

    [Fact]
    public void Channel_close_is_written_with_reply_code_text_and_failing_method()
    {
        var close = new ChannelClose(ReplyCode.NotFound, "NOT_FOUND - no queue 'q'", QueueDeclare.Id);
        byte[] expected = Of(
            U16(20), U16(40),
            U16(404),
            Short("NOT_FOUND - no queue 'q'"),
            U16(50), U16(10));      // queue.declare
        Assert.Equal(expected, MethodAssert.Write(close));
        Assert.Equal(QueueDeclare.Id, ChannelClose.ReadFrom(expected.AsSpan(4)).FailingMethodId);
    }

    [Fact]
    public void Queue_declare_packs_its_flags_into_one_octet()
    {
        var declare = new QueueDeclare("orders", Passive: false, Durable: true, Exclusive: false, AutoDelete: true, NoWait: false,
            new Dictionary<string, object?> { ["x-max-length"] = 10 });
        byte[] expected = Of(
            U16(50), U16(10),
            U16(0),                                         // reserved ticket
            Short("orders"),
            0b0000_1010,                                    // passive 0, durable 1, exclusive 0, auto-delete 1, no-wait 0
            U32(18), Short("x-max-length"), 'I', U32(10));  // 1+12 + 1 + 4 = 18
        Assert.Equal(expected, MethodAssert.Write(declare));
        MethodAssert.AssertEqual(declare, QueueDeclare.ReadFrom(expected.AsSpan(4)));
    }

    [Fact]
    public void Queue_declare_ignores_a_ticket_sent_by_an_old_client()
    {
        byte[] bytes = Of(U16(0x1234), Short("q"), 0b0001_0001, U32(0));
        var declare = QueueDeclare.ReadFrom(bytes);
        Assert.Equal(new QueueDeclare("q", true, false, false, false, true, null), declare);
    }

    [Fact]
    public void Exchange_declare_packs_five_flags_and_writes_an_empty_table_for_no_arguments()
    {
        var declare = new ExchangeDeclare("logs", "fanout", Passive: false, Durable: true, AutoDelete: false, Internal: false, NoWait: true);
        byte[] expected = Of(
            U16(40), U16(10),
            U16(0),
            Short("logs"), Short("fanout"),
            0b0001_0010,            // durable (bit 1), no-wait (bit 4)
            U32(0));                // arguments
        Assert.Equal(expected, MethodAssert.Write(declare));
    }

    [Fact]
    public void Basic_publish_is_written_with_mandatory_and_immediate_bits()
    {
        var publish = new BasicPublish("amq.direct", "rk", Mandatory: true, Immediate: false);
        byte[] expected = Of(U16(60), U16(40), U16(0), Short("amq.direct"), Short("rk"), 0b01);
        Assert.Equal(expected, MethodAssert.Write(publish));
        Assert.Equal(publish, BasicPublish.ReadFrom(expected.AsSpan(4)));
    }

    [Fact]
    public void Basic_deliver_is_written_with_a_64_bit_delivery_tag()
    {
        var deliver = new BasicDeliver("ctag", 42, Redelivered: true, "ex", "rk");
        byte[] expected = Of(U16(60), U16(60), Short("ctag"), U64(42), 1, Short("ex"), Short("rk"));
        Assert.Equal(expected, MethodAssert.Write(deliver));
        Assert.Equal(deliver, BasicDeliver.ReadFrom(expected.AsSpan(4)));
    }

    [Fact]
    public void Basic_ack_is_written_as_delivery_tag_and_multiple_bit()
    {
        byte[] expected = Of(U16(60), U16(80), U64(0x0102030405060708), 1);
        Assert.Equal(expected, MethodAssert.Write(new BasicAck(0x0102030405060708, Multiple: true)));
    }

    [Fact]
    public void Basic_nack_packs_multiple_and_requeue()
    {
        byte[] expected = Of(U16(60), U16(120), U64(7), 0b10);
        Assert.Equal(expected, MethodAssert.Write(new BasicNack(7, Multiple: false, Requeue: true)));
    }

    [Fact]
    public void Channel_open_ok_writes_its_reserved_long_string_as_four_zeros()
    {
        Assert.Equal(Of(U16(20), U16(11), U32(0)), MethodAssert.Write(new ChannelOpenOk()));
    }

    [Fact]
    public void Exchange_unbind_ok_has_rabbitmq_method_id_51()
    {
        Assert.Equal(Of(U16(40), U16(51)), MethodAssert.Write(new ExchangeUnbindOk()));
    }

    [Fact]
    public void Truncated_arguments_throw_a_syntax_error()
    {
        byte[] full = MethodAssert.Write(new QueueBind("q", "ex", "rk", false, new() { ["a"] = 1 }));
        for (int length = 4; length < full.Length; length++)
        {
            var error = Assert.Throws<AmqpDecodeException>(() => QueueBind.ReadFrom(full.AsSpan(4, length - 4)));
            Assert.Equal(ReplyCode.SyntaxError, error.ReplyCode);
        }
    }

    [Fact]
    public void A_short_string_over_255_bytes_is_refused_when_writing()
    {
        var declare = new QueueDeclare(new string('é', 128), false, false, false, false, false);
        Assert.Throws<ArgumentException>(() => declare.GetSize());
    }

    [Fact]
    public void Short_strings_are_utf8()
    {
        var bytes = MethodAssert.Write(new BasicConsumeOk("é"));
        Assert.Equal(Of(U16(60), U16(21), 2, 0xC3, 0xA9), bytes);
    }

    [Fact]
    public void Method_names_read_like_rabbitmq_and_unknown_ids_say_so()
    {
        Assert.Equal("queue.declare", MethodNames.Of(QueueDeclare.Id));
        Assert.Equal("basic.recover-async", MethodNames.Of(BasicRecoverAsync.Id));
        Assert.Equal("unknown method (30, 10)", MethodNames.Of(AmqpMethodId.Make(30, 10)));
        Assert.False(MethodNames.IsKnown(AmqpMethodId.Make(30, 10)));
        Assert.True(MethodNames.IsKnown(ConfirmSelect.Id));
    }

    [Fact]
    public void Only_publish_return_deliver_and_get_ok_carry_content()
    {
        Assert.True(AmqpMethodId.HasContent(BasicPublish.Id));
        Assert.True(AmqpMethodId.HasContent(BasicReturn.Id));
        Assert.True(AmqpMethodId.HasContent(BasicDeliver.Id));
        Assert.True(AmqpMethodId.HasContent(BasicGetOk.Id));
        Assert.False(AmqpMethodId.HasContent(BasicGetEmpty.Id));
        Assert.False(AmqpMethodId.HasContent(BasicAck.Id));
    }

    [Fact]
    public void The_protocol_header_is_amqp_0_9_1()
    {
        Assert.Equal(Of("AMQP", 0, 0, 9, 1), AmqpConstants.ProtocolHeader.ToArray());
    }
}
