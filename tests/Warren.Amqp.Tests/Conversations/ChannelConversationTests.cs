using System.Text;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Amqp.Tests.Conversations;

public sealed class ChannelConversationTests
{
    [Fact]
    public async Task Channel_close_from_the_client_is_answered_with_close_ok_and_the_number_can_be_reused()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);

        await client.SendAsync(1, new ChannelClose(200, "bye", 0, 0));
        await client.ExpectAsync(1, ChannelCloseOk.Id, ChannelCloseOk.ReadFrom);

        await client.OpenChannelAsync(1);
        Assert.False(client.Run.IsCompleted);
    }

    [Fact]
    public async Task A_soft_error_closes_only_the_channel()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);

        await client.SendAsync(1, new QueueDeclare("missing", Passive: true, false, false, false, false));
        var close = await client.ExpectAsync(1, ChannelClose.Id, ChannelClose.ReadFrom);
        await client.SendAsync(1, new ChannelCloseOk());

        Assert.Equal(404, close.ReplyCode);
        Assert.Equal("NOT_FOUND - no queue 'missing' in vhost '/'", close.ReplyText);
        Assert.Equal(QueueDeclare.Id, close.FailingMethodId);
        await client.OpenChannelAsync(2);
    }

    [Theory]
    [InlineData(4096u)]
    [InlineData(131072u)]
    public async Task A_body_larger_than_frame_max_goes_through_publish_and_get_in_several_body_frames(uint frameMax)
    {
        await using var client = new PipeClient();
        await client.OpenAsync(frameMax: frameMax);
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new QueueDeclare("big", false, false, false, false, false));
        await client.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
        var body = new byte[(int)(frameMax * 5 / 2)];
        new Random(42).NextBytes(body);

        await client.PublishAsync(1, "", "big", body, new MessageProperties { ContentType = "application/octet-stream", MessageId = "m-1" });
        await client.SendAsync(1, new BasicGet("big", NoAck: true));
        var getOk = await client.ExpectAsync(1, BasicGetOk.Id, BasicGetOk.ReadFrom);
        var (properties, received, frameSizes) = await client.ReadContentAsync(1);

        Assert.Equal(1ul, getOk.DeliveryTag);
        Assert.False(getOk.Redelivered);
        Assert.Equal("", getOk.Exchange);
        Assert.Equal("big", getOk.RoutingKey);
        Assert.Equal(0u, getOk.MessageCount);
        Assert.Equal("application/octet-stream", properties.ContentType);
        Assert.Equal("m-1", properties.MessageId);
        Assert.Equal(body, received);
        Assert.Equal(3, frameSizes.Count);
        Assert.All(frameSizes, size => Assert.True(size <= frameMax - AmqpConstants.FrameOverhead, $"body frame payload {size} exceeds frame-max {frameMax}"));
    }

    [Fact]
    public async Task Get_on_an_empty_queue_answers_get_empty()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new QueueDeclare("empty", false, false, false, false, false));
        await client.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);

        await client.SendAsync(1, new BasicGet("empty", NoAck: true));

        await client.ExpectAsync(1, BasicGetEmpty.Id, BasicGetEmpty.ReadFrom);
    }

    [Fact]
    public async Task Publishes_in_confirm_mode_are_acknowledged_up_to_the_last_delivery_tag()
    {
        const int Count = 50;
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new ConfirmSelect(NoWait: false));
        await client.ExpectAsync(1, ConfirmSelectOk.Id, ConfirmSelectOk.ReadFrom);

        // One flush: the server reads the publishes as a batch and may coalesce its acks.
        for (var i = 0; i < Count; i++) await client.PublishAsync(1, "amq.direct", "nowhere", Encoding.UTF8.GetBytes($"m{i}"), flush: false);
        await client.FlushAsync();

        ulong confirmed = 0;
        var acks = 0;
        while (confirmed < Count)
        {
            var ack = await client.ExpectAsync(1, BasicAck.Id, BasicAck.ReadFrom);
            Assert.True(ack.DeliveryTag > confirmed, $"ack {ack.DeliveryTag} does not move past {confirmed}");
            Assert.True(ack.Multiple || ack.DeliveryTag == confirmed + 1, $"ack {ack.DeliveryTag} skips tags without multiple");
            confirmed = ack.DeliveryTag;
            acks++;
        }

        Assert.Equal((ulong)Count, confirmed);
        Assert.True(acks < Count, $"expected coalesced acks, got {acks} for {Count} publishes");
    }

    [Fact]
    public async Task A_single_publish_in_confirm_mode_is_acknowledged_without_multiple()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new ConfirmSelect(NoWait: false));
        await client.ExpectAsync(1, ConfirmSelectOk.Id, ConfirmSelectOk.ReadFrom);

        await client.PublishAsync(1, "amq.direct", "nowhere", "one"u8.ToArray());
        var first = await client.ExpectAsync(1, BasicAck.Id, BasicAck.ReadFrom);
        await client.PublishAsync(1, "amq.direct", "nowhere", "two"u8.ToArray());
        var second = await client.ExpectAsync(1, BasicAck.Id, BasicAck.ReadFrom);

        Assert.Equal(new BasicAck(1, false), first);
        Assert.Equal(new BasicAck(2, false), second);
    }

    [Fact]
    public async Task A_consumer_receives_deliveries_with_the_message_content()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new QueueDeclare("work", false, false, false, false, false));
        await client.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
        await client.SendAsync(1, new BasicConsume("work", "ctag", false, NoAck: false, false, false));
        var consumeOk = await client.ExpectAsync(1, BasicConsumeOk.Id, BasicConsumeOk.ReadFrom);

        await client.PublishAsync(1, "", "work", "hello"u8.ToArray());
        var deliver = await client.ExpectAsync(1, BasicDeliver.Id, BasicDeliver.ReadFrom);
        var (_, body, _) = await client.ReadContentAsync(1);

        Assert.Equal("ctag", consumeOk.ConsumerTag);
        Assert.Equal(new BasicDeliver("ctag", 1, false, "", "work"), deliver);
        Assert.Equal("hello"u8.ToArray(), body);
    }

    [Fact]
    public async Task Nack_with_requeue_sets_the_redelivered_flag()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await client.SendAsync(1, new QueueDeclare("retry", false, false, false, false, false));
        await client.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
        await client.PublishAsync(1, "", "retry", "m"u8.ToArray());
        await client.SendAsync(1, new BasicGet("retry", NoAck: false));
        var first = await client.ExpectAsync(1, BasicGetOk.Id, BasicGetOk.ReadFrom);
        await client.ReadContentAsync(1);

        await client.SendAsync(1, new BasicNack(first.DeliveryTag, Multiple: false, Requeue: true));
        await client.SendAsync(1, new BasicGet("retry", NoAck: true));
        var second = await client.ExpectAsync(1, BasicGetOk.Id, BasicGetOk.ReadFrom);

        Assert.False(first.Redelivered);
        Assert.True(second.Redelivered);
        Assert.Equal(2ul, second.DeliveryTag);
    }
}
