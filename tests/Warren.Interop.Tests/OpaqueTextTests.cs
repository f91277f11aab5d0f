using System.Buffers.Binary;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

/// <summary>
/// Short strings that are not UTF-8 (issue 10, defect 2). RabbitMQ 3.10 passes what it only
/// carries (basic.publish's routing key, message properties) through byte for byte, and refuses a
/// name, tag or binding key that is not UTF-8 with 501 FRAME_ERROR "Malformed UTF-8 in shortstr".
/// </summary>
public abstract class OpaqueTextTests(BrokerTarget target) : InteropTest(target)
{
    private static readonly byte[] Invalid = [(byte)'q', 0xFF, 0xFE, (byte)'!'];

    private async Task<RawAmqpSocket> OpenRawAsync()
    {
        var raw = await RawAmqpSocket.ConnectAsync(Target.RequiredUri);
        await raw.HandshakeAsync();
        await raw.OpenChannelAsync(1);
        return raw;
    }

    private static AmqpWriter ShortBytes(AmqpWriter w, byte[] bytes) => w.Octet((byte)bytes.Length).Bytes(bytes);

    public static TheoryData<string> MethodsWithNames => new() { "queue.declare", "exchange.declare", "queue.bind routing key", "basic.consume tag", "queue.delete" };

    [Theory]
    [MemberData(nameof(MethodsWithNames))]
    public async Task A_name_or_key_that_is_not_utf8_is_a_frame_error_naming_no_method(string method)
    {
        RawClose close;
        await using (var raw = await OpenRawAsync())
        {
            var frame = method switch
            {
                "queue.declare" => AmqpWriter.MethodFrame(1, 50, 10, w => ShortBytes(w.Short(0), Invalid).Octet(0).EmptyTable()),
                "exchange.declare" => AmqpWriter.MethodFrame(1, 40, 10, w => ShortBytes(w.Short(0), Invalid).ShortStr("fanout").Octet(0).EmptyTable()),
                "queue.bind routing key" => AmqpWriter.MethodFrame(1, 50, 20, w => ShortBytes(w.Short(0).ShortStr("any").ShortStr("amq.direct"), Invalid).Octet(0).EmptyTable()),
                "basic.consume tag" => AmqpWriter.MethodFrame(1, 60, 20, w => ShortBytes(w.Short(0).ShortStr("any"), Invalid).Octet(0).EmptyTable()),
                _ => AmqpWriter.MethodFrame(1, 50, 40, w => ShortBytes(w.Short(0), Invalid).Octet(0)),
            };
            await raw.SendAsync(frame);
            close = await raw.ExpectConnectionCloseAsync();
            await raw.AcknowledgeCloseAndExpectSocketClosedAsync();
        }

        Assert.Equal(new RawClose(501, "FRAME_ERROR - Malformed UTF-8 in shortstr", 0, 0), close);
    }

    [Fact]
    public async Task Properties_that_are_not_utf8_come_back_byte_for_byte()
    {
        var queue = await DeclareQueueAsync(await OpenChannelAsync());
        // content-type: 255 bytes of 0xC3 (a lead byte with no continuation), message-id: 0xFF 0xFE.
        var contentType = Enumerable.Repeat((byte)0xC3, 255).ToArray();
        byte[] messageId = [0xFF, 0xFE];
        var header = new AmqpWriter().Short(60).Short(0).LongLong(1).Short(0x8000 | 0x0080);
        ShortBytes(header, contentType);
        ShortBytes(header, messageId);
        var headerPayload = header.ToArray();

        await using var raw = await OpenRawAsync();
        await raw.SendAsync([
            .. AmqpWriter.MethodFrame(1, 60, 40, w => w.Short(0).ShortStr("").ShortStr(queue).Octet(0)),
            .. AmqpWriter.Frame(RawFrame.Header, 1, headerPayload),
            .. AmqpWriter.Frame(RawFrame.Body, 1, "x"u8)]);
        await raw.SendMethodAsync(1, 60, 70, w => w.Short(0).ShortStr(queue).Octet(1));
        await raw.ExpectMethodAsync(60, 71);
        var received = await raw.ReadFrameAsync();

        Assert.Equal(RawFrame.Header, received.Type);
        Assert.Equal(headerPayload, received.Payload);
    }

    [Fact]
    public async Task A_routing_key_of_255_bytes_0xFF_through_a_fanout_reaches_a_consumer_once_and_keeps_its_connection()
    {
        var setup = await OpenChannelAsync();
        var exchange = await DeclareExchangeAsync(setup, ExchangeType.Fanout);
        var queue = await DeclareQueueAsync(setup);
        await setup.QueueBindAsync(queue, exchange, "", cancellationToken: Ct);

        // The consumer: another client, on its own connection, acknowledging.
        var consumerConnection = await ConnectAsync();
        var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: Ct);
        var deliveries = System.Threading.Channels.Channel.CreateUnbounded<BasicDeliverEventArgs>();
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            await consumerChannel.BasicAckAsync(e.DeliveryTag, multiple: false, Ct);
            deliveries.Writer.TryWrite(e);
        };
        await consumerChannel.BasicConsumeAsync(queue, autoAck: false, consumer, Ct);

        var key = Enumerable.Repeat((byte)0xFF, 255).ToArray();
        await using var raw = await OpenRawAsync();
        await raw.SendAsync([
            .. AmqpWriter.MethodFrame(1, 60, 40, w => ShortBytes(w.Short(0).ShortStr(exchange), key).Octet(0)),
            .. AmqpWriter.ContentHeaderFrame(1, 4),
            .. AmqpWriter.Frame(RawFrame.Body, 1, "once"u8)]);

        var delivery = await deliveries.Reader.ReadAsync(Ct).AsTask().WaitAsync(Timeout, Ct);
        Assert.Equal("once"u8.ToArray(), delivery.Body.ToArray());
        // Still open, and nothing more: the message did not multiply.
        var check = await consumerConnection.CreateChannelAsync(cancellationToken: Ct);
        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync(queue, Ct)).MessageCount);
        Assert.True(consumerConnection.IsOpen);
        Assert.False(deliveries.Reader.TryRead(out _));

        // The raw publisher's connection is fine too: a basic.get of the same key over a second queue shows the bytes.
        var probe = await DeclareQueueAsync(setup);
        await setup.QueueBindAsync(probe, exchange, "", cancellationToken: Ct);
        await raw.SendAsync([
            .. AmqpWriter.MethodFrame(1, 60, 40, w => ShortBytes(w.Short(0).ShortStr(exchange), key).Octet(0)),
            .. AmqpWriter.ContentHeaderFrame(1, 1),
            .. AmqpWriter.Frame(RawFrame.Body, 1, "p"u8)]);
        await raw.SendMethodAsync(1, 60, 70, w => w.Short(0).ShortStr(probe).Octet(1));
        var getOk = await raw.ExpectMethodAsync(60, 71);
        // get-ok: delivery-tag (8), redelivered (1), exchange, routing-key, message-count.
        var args = getOk.Payload.AsSpan(4 + 8 + 1);
        var exchangeLength = args[0];
        var routingKey = args.Slice(1 + exchangeLength + 1, args[1 + exchangeLength]).ToArray();
        Assert.Equal(key, routingKey);
    }

    [Fact]
    public async Task An_error_text_quoting_a_long_non_ascii_name_fits_a_short_string_and_closes_only_the_channel()
    {
        // 63 × U+1F600 is 252 bytes in 126 UTF-16 chars: "NOT_FOUND - no queue '...' in vhost '/'" is then
        // 163 chars but 291 bytes, too long for a short string however it is cut by characters.
        var name = string.Concat(Enumerable.Repeat("\U0001F600", 63));
        await using var raw = await OpenRawAsync();
        await raw.SendMethodAsync(1, 50, 10, w => w.Short(0).ShortStr(name).Octet(1).EmptyTable()); // passive

        var close = await raw.ExpectChannelCloseAsync(1);

        Assert.Equal((404, (ushort)50, (ushort)10), (close.ReplyCode, close.ClassId, close.MethodId));
        Assert.StartsWith("NOT_FOUND - no queue '\U0001F600", close.ReplyText);
        Assert.EndsWith("...", close.ReplyText);
        // RabbitMQ cuts at 252 bytes even inside a character; Warren cuts on a character boundary
        // (docs/compatibility.md), so its text is still valid UTF-8.
        if (!Target.IsRabbitMq) Assert.DoesNotContain('\uFFFD', close.ReplyText);
        await raw.SendMethodAsync(1, 20, 41);
        await raw.OpenChannelAsync(2);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class OpaqueTextTests_on_Warren(WarrenFixture f) : OpaqueTextTests(f.Target);

public sealed class OpaqueTextTests_on_RabbitMq(RabbitMqFixture f) : OpaqueTextTests(f.Target);
