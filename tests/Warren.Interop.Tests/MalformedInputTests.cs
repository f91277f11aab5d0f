using System.Text;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

/// <summary>
/// Bad input over a bare socket, no client library. Each case asserts the connection.close the
/// broker sends, that it then closes the socket, and that it still serves a new connection.
/// </summary>
public abstract class MalformedInputTests(BrokerTarget target) : InteropTest(target)
{
    private async Task<RawAmqpSocket> OpenAsync()
    {
        var raw = await RawAmqpSocket.ConnectAsync(Target.RequiredUri);
        await raw.HandshakeAsync();
        return raw;
    }

    private async Task AssertBrokerStillServesAsync()
    {
        await using var raw = await OpenAsync();
        await raw.OpenChannelAsync(1);
    }

    private async Task<RawClose> SendAndExpectCloseAsync(Func<RawAmqpSocket, Task> misbehave, ushort channelToOpen = 0)
    {
        RawClose close;
        await using (var raw = await OpenAsync())
        {
            if (channelToOpen != 0)
                await raw.OpenChannelAsync(channelToOpen);
            await misbehave(raw);
            close = await raw.ExpectConnectionCloseAsync();
            await raw.AcknowledgeCloseAndExpectSocketClosedAsync();
        }
        await AssertBrokerStillServesAsync();
        return close;
    }

    private static void AssertFrameError(RawClose close, ushort classId, ushort methodId)
    {
        Assert.Equal((501, classId, methodId), (close.ReplyCode, close.ClassId, close.MethodId));
        Assert.StartsWith("FRAME_ERROR", close.ReplyText);
    }

    [Theory]
    [InlineData("AMQP\0\0\x09\x00")]
    [InlineData("AMQP\x01\x01\x09\x02")]
    [InlineData("HTTP/1.1")]
    public async Task A_wrong_protocol_header_is_answered_with_the_supported_one_and_closed(string header)
    {
        await using (var raw = await RawAmqpSocket.ConnectAsync(Target.RequiredUri))
        {
            await raw.SendAsync(Encoding.Latin1.GetBytes(header));

            var answer = await raw.ReadToEndAsync();

            Assert.Equal(RawAmqpSocket.ProtocolHeader, answer);
        }
        await AssertBrokerStillServesAsync();
    }

    [Fact]
    public async Task A_bad_frame_end_is_a_frame_error()
    {
        var close = await SendAndExpectCloseAsync(raw =>
            raw.SendAsync(AmqpWriter.Frame(1, 1, new AmqpWriter().Short(20).Short(10).ShortStr("").ToArray(), frameEnd: 0x00)));

        // RabbitMQ: "FRAME_ERROR - type 1, all octets = <<0,20,0,10,0>>: {invalid_frame_end_marker,0}";
        // the text after the name is an Erlang term, so only the name is part of the contract.
        AssertFrameError(close, 0, 0);
    }

    [Fact]
    public async Task A_frame_larger_than_frame_max_is_a_frame_error()
    {
        // A basic.qos padded so that the payload is 100 bytes over frame-max.
        // Surprising: RabbitMQ 3.10 only rejects a payload larger than frame-max itself, although
        // frame-max bounds the whole frame (payload + 8); a frame up to 8 bytes too big is accepted.
        // Its text: "FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,131172,131064}".
        var close = await SendAndExpectCloseAsync(async raw =>
        {
            var qos = new AmqpWriter().Short(60).Short(10).Long(0).Short(1).Octet(0).ToArray();
            await raw.SendAsync(AmqpWriter.Frame(1, 1, [.. qos, .. new byte[raw.FrameMax + 100 - qos.Length]]));
        }, channelToOpen: 1);

        AssertFrameError(close, 0, 0);
    }

    [Fact]
    public async Task An_unknown_frame_type_is_a_frame_error()
    {
        var close = await SendAndExpectCloseAsync(raw => raw.SendAsync(AmqpWriter.Frame(7, 0, [1, 2, 3])));

        // RabbitMQ: "FRAME_ERROR - type 7, all octets = <<1,2,3>>: unknown_frame".
        AssertFrameError(close, 0, 0);
    }

    [Fact]
    public async Task A_method_on_a_channel_that_is_not_open_is_a_channel_error()
    {
        var close = await SendAndExpectCloseAsync(raw =>
            raw.SendMethodAsync(5, 50, 10, w => w.Short(0).ShortStr("q").Octet(0).EmptyTable()));

        Assert.Equal(new RawClose(504, "CHANNEL_ERROR - expected 'channel.open'", 50, 10), close);
    }

    [Fact]
    public async Task A_content_header_without_a_publish_is_an_unexpected_frame()
    {
        var close = await SendAndExpectCloseAsync(raw => raw.SendAsync(AmqpWriter.ContentHeaderFrame(1, 3)), channelToOpen: 1);

        Assert.Equal(new RawClose(505, "UNEXPECTED_FRAME - expected method frame, got non method frame instead", 0, 0), close);
    }

    [Fact]
    public async Task A_method_between_publish_and_its_content_is_an_unexpected_frame()
    {
        var close = await SendAndExpectCloseAsync(async raw =>
        {
            await raw.SendAsync(AmqpWriter.MethodFrame(1, 60, 40, w => w.Short(0).ShortStr("").ShortStr("q").Octet(0)));
            await raw.SendAsync(AmqpWriter.MethodFrame(1, 60, 10, w => w.Long(0).Short(1).Octet(0)));
        }, channelToOpen: 1);

        Assert.Equal(new RawClose(505, "UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead", 60, 40), close);
    }

    [Theory]
    [InlineData(60, 999)]
    [InlineData(77, 10)]
    public async Task An_unknown_class_or_method_drops_the_connection_without_a_close(ushort classId, ushort methodId)
    {
        await using (var raw = await OpenAsync())
        {
            await raw.OpenChannelAsync(1);

            await raw.SendMethodAsync(1, classId, methodId);

            // Surprising: RabbitMQ 3.10 sends no connection.close (not 540 NOT_IMPLEMENTED, not 503):
            // its frame decoder fails and the connection process just closes the socket.
            Assert.Empty(await raw.ReadToEndAsync());
        }
        await AssertBrokerStillServesAsync();
    }

    [Fact]
    public async Task Truncated_method_arguments_are_a_frame_error()
    {
        // queue.declare cut after the ticket and half of the queue name.
        var close = await SendAndExpectCloseAsync(raw =>
            raw.SendAsync(AmqpWriter.Frame(1, 1, new AmqpWriter().Short(50).Short(10).Short(0).Octet(10).Bytes("abc"u8).ToArray())),
            channelToOpen: 1);

        // Surprising: not 502 SYNTAX_ERROR but 501 FRAME_ERROR, with the method's ids:
        // "FRAME_ERROR - cannot decode <<0,0,10,97,98,99>>".
        Assert.Equal((501, 50, 10), (close.ReplyCode, close.ClassId, close.MethodId));
        Assert.StartsWith("FRAME_ERROR - cannot decode", close.ReplyText);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class MalformedInputTests_on_Warren(WarrenFixture f) : MalformedInputTests(f.Target);

public sealed class MalformedInputTests_on_RabbitMq(RabbitMqFixture f) : MalformedInputTests(f.Target);
