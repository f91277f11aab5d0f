using System.Buffers;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using static Warren.Amqp.Tests.Bytes;

namespace Warren.Amqp.Tests.Framing;

public sealed class FrameParserTests
{
    private static readonly byte[] Heartbeat = [8, 0, 0, 0, 0, 0, 0, 0xCE];

    private static byte[] MethodFrame(ushort channel, byte[] payload) =>
        Of(1, U16(channel), U32(payload.Length), payload, 0xCE);

    private static List<(byte Type, ushort Channel, byte[] Payload)> ReadAll(ref ReadOnlySequence<byte> buffer, uint frameMax = AmqpConstants.DefaultFrameMax)
    {
        var frames = new List<(byte, ushort, byte[])>();
        while (FrameParser.TryReadFrame(ref buffer, frameMax, out var frame))
            frames.Add((frame.Type, frame.Channel, frame.Payload.ToArray()));
        return frames;
    }

    [Fact]
    public void A_heartbeat_frame_is_read_with_an_empty_payload()
    {
        var buffer = new ReadOnlySequence<byte>(Heartbeat);
        Assert.True(FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out var frame));
        Assert.Equal(AmqpConstants.FrameHeartbeat, frame.Type);
        Assert.Equal(0, frame.Channel);
        Assert.True(frame.Payload.IsEmpty);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void A_partial_frame_is_not_read_and_the_buffer_is_left_alone()
    {
        byte[] bytes = MethodFrame(3, MethodAssert.Write(new BasicAck(1, false)));
        for (int length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void Several_frames_in_one_buffer_are_read_in_order_leaving_the_incomplete_rest()
    {
        byte[] ack = MethodAssert.Write(new BasicAck(7, true));
        byte[] bytes = Of(MethodFrame(1, ack), Heartbeat, MethodFrame(2, ack), MethodFrame(9, ack)[..5]);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var frames = ReadAll(ref buffer);
        Assert.Equal(3, frames.Count);
        Assert.Equal((1, (ushort)1), (frames[0].Type, frames[0].Channel));
        Assert.Equal(AmqpConstants.FrameHeartbeat, frames[1].Type);
        Assert.Equal((ushort)2, frames[2].Channel);
        Assert.Equal(ack, frames[2].Payload);
        Assert.Equal(5, buffer.Length);
    }

    [Fact]
    public void A_frame_split_across_segments_at_any_point_is_read_whole()
    {
        byte[] payload = MethodAssert.Write(new BasicDeliver("ctag", 42, false, "ex", "rk"));
        byte[] bytes = Of(MethodFrame(5, payload), Heartbeat);
        for (int split = 1; split < bytes.Length; split++)
        {
            var buffer = Segment.Join(bytes[..split], bytes[split..]);
            var frames = ReadAll(ref buffer);
            Assert.Equal(2, frames.Count);
            Assert.Equal(payload, frames[0].Payload);
            Assert.True(buffer.IsEmpty);
        }
        var bytewise = Segment.Bytewise(bytes);
        Assert.Equal(payload, ReadAll(ref bytewise)[0].Payload);
    }

    [Fact]
    public void A_wrong_frame_end_is_a_frame_error()
    {
        byte[] bytes = MethodFrame(1, [0, 10, 0, 51]);
        bytes[^1] = 0x41;
        var buffer = new ReadOnlySequence<byte>(bytes);
        var error = Assert.Throws<AmqpFrameException>(() => FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out _));
        Assert.Equal(ReplyCode.FrameError, error.ReplyCode);
        Assert.Equal("FRAME_ERROR - type 1, all octets = <<0,10,0,51>>: {invalid_frame_end_marker,65}", error.Message);
    }

    [Fact]
    public void A_frame_larger_than_frame_max_is_a_frame_error_as_soon_as_its_header_arrives()
    {
        byte[] header = Of(1, U16(1), U32(4097));
        var buffer = new ReadOnlySequence<byte>(header);
        var error = Assert.Throws<AmqpFrameException>(() => FrameParser.TryReadFrame(ref buffer, 4096, out _));
        Assert.Equal(ReplyCode.FrameError, error.ReplyCode);
        Assert.Equal("FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,4097,4088}", error.Message);
    }

    [Fact]
    public void A_payload_up_to_frame_max_is_accepted_as_rabbitmq_does()
    {
        byte[] bytes = Of(3, U16(1), U32(4096), new byte[4096], 0xCE);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameParser.TryReadFrame(ref buffer, 4096, out var frame));
        Assert.Equal(4096, frame.Payload.Length);
    }

    [Fact]
    public void Frame_max_zero_means_no_limit()
    {
        byte[] bytes = Of(3, U16(1), U32(200_000), new byte[200_000], 0xCE);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(FrameParser.TryReadFrame(ref buffer, 0, out var frame));
        Assert.Equal(200_000, frame.Payload.Length);
    }

    [Fact]
    public void An_unknown_frame_type_is_a_frame_error()
    {
        byte[] bytes = Of(9, U16(0), U32(2), 1, 2, 0xCE);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var error = Assert.Throws<AmqpFrameException>(() => FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out _));
        Assert.Equal(ReplyCode.FrameError, error.ReplyCode);
        Assert.Equal("FRAME_ERROR - type 9, all octets = <<1,2>>: unknown_frame", error.Message);
    }

    [Fact]
    public void A_long_payload_is_shown_by_its_first_16_octets_in_the_error()
    {
        byte[] bytes = Of(7, U16(0), U32(20), new byte[20], 0xCE);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var error = Assert.Throws<AmqpFrameException>(() => FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out _));
        Assert.StartsWith("FRAME_ERROR - type 7, first 16 octets = <<0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0>>", error.Message, StringComparison.Ordinal);
    }
}
