using System.Buffers;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;
using static Warren.Amqp.Tests.Bytes;

namespace Warren.Amqp.Tests.Framing;

public sealed class FrameWriterTests
{
    [Fact]
    public void A_method_frame_wraps_the_method_in_header_and_frame_end()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethodFrame(output, 1, new ChannelOpenOk());
        Assert.Equal(Of(1, U16(1), U32(8), U16(20), U16(11), U32(0), 0xCE), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_method_frame_written_to_a_span_matches_the_buffer_writer()
    {
        var method = new BasicDeliver("ctag", 1, false, "ex", "rk");
        var span = new byte[FrameWriter.GetMethodFrameSize(method)];
        Assert.Equal(span.Length, FrameWriter.WriteMethodFrame(span, 2, method));
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMethodFrame(output, 2, method);
        Assert.Equal(span, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_heartbeat_is_type_8_on_channel_0_with_no_payload()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteHeartbeat(output);
        Assert.Equal(Of(8, 0, 0, 0, 0, 0, 0, 0xCE), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void A_content_header_frame_reads_back()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteContentHeaderFrame(output, 4, 77, new MessageProperties { MessageId = "m" });
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(FrameParser.TryReadFrame(ref buffer, AmqpConstants.DefaultFrameMax, out var frame));
        Assert.Equal(AmqpConstants.FrameHeader, frame.Type);
        Assert.Equal(4, frame.Channel);
        var (bodySize, properties) = ContentHeader.Read(frame.Payload.ToArray());
        Assert.Equal(77UL, bodySize);
        Assert.Equal("m", properties.MessageId);
    }

    [Fact]
    public void A_body_is_split_so_that_no_frame_exceeds_frame_max()
    {
        byte[] body = Enumerable.Range(0, 10).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBodyFrames(output, 1, body, frameMax: 12);     // 4 payload bytes per frame
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        var sizes = new List<long>();
        var received = new List<byte>();
        while (FrameParser.TryReadFrame(ref buffer, 12, out var frame))
        {
            Assert.Equal(AmqpConstants.FrameBody, frame.Type);
            sizes.Add(frame.Payload.Length);
            received.AddRange(frame.Payload.ToArray());
        }
        Assert.Equal([4L, 4L, 2L], sizes);
        Assert.Equal(body, received);
        Assert.Equal(10 + 3 * 8, output.WrittenCount);
    }

    [Fact]
    public void A_body_that_fits_exactly_is_one_frame_of_frame_max_bytes()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBodyFrames(output, 1, new byte[4088], AmqpConstants.FrameMinSize);
        Assert.Equal(4096, output.WrittenCount);
    }

    [Fact]
    public void An_empty_body_writes_no_frame()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteBodyFrames(output, 1, [], AmqpConstants.DefaultFrameMax);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Writing_a_delivery_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(1 << 16);
        var deliver = new BasicDeliver("amq.ctag-1", 1, false, "amq.direct", "orders");
        var properties = new MessageProperties { ContentType = "text/plain", DeliveryMode = 2, Headers = new() { ["n"] = 1 } };
        byte[] body = new byte[300];

        void WriteOne()
        {
            output.ResetWrittenCount();
            FrameWriter.WriteMethodFrame(output, 1, deliver);
            FrameWriter.WriteContentHeaderFrame(output, 1, (ulong)body.Length, properties);
            FrameWriter.WriteBodyFrames(output, 1, body, AmqpConstants.DefaultFrameMax);
        }

        for (int i = 0; i < 1000; i++) WriteOne();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) WriteOne();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
