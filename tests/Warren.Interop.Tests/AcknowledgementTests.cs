using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class AcknowledgementTests(BrokerTarget target) : InteropTest(target)
{
    private async Task<(IChannel Channel, string Queue)> QueueWithMessagesAsync(int count)
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        for (var i = 0; i < count; i++)
            await PublishAsync(ch, "", q, $"m{i}");
        return (ch, q);
    }

    [Fact]
    public async Task Basic_get_reports_the_messages_left()
    {
        var (ch, q) = await QueueWithMessagesAsync(3);

        var got = await ch.BasicGetAsync(q, false, Ct);

        Assert.Equal(("m0", 2u, false, 1ul), (Text(got!.Body), got.MessageCount, got.Redelivered, got.DeliveryTag));
    }

    [Fact]
    public async Task Basic_get_on_an_empty_queue_returns_get_empty()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        Assert.Null(await ch.BasicGetAsync(q, false, Ct));
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task An_acked_message_is_gone()
    {
        var (ch, q) = await QueueWithMessagesAsync(1);
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicAckAsync(got!.DeliveryTag, false, Ct);
        await ch.CloseAsync(Ct);

        var other = await OpenChannelAsync();
        Assert.Equal(0u, (await other.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task Ack_multiple_acks_every_tag_up_to_and_including_the_given_one()
    {
        var (ch, q) = await QueueWithMessagesAsync(4);
        var tags = new List<ulong>();
        for (var i = 0; i < 4; i++)
            tags.Add((await ch.BasicGetAsync(q, false, Ct))!.DeliveryTag);

        await ch.BasicAckAsync(tags[2], multiple: true, Ct);
        await ch.CloseAsync(Ct);

        var other = await OpenChannelAsync();
        var left = await other.BasicGetAsync(q, true, Ct);
        Assert.Equal(("m3", true, 0u), (Text(left!.Body), left.Redelivered, left.MessageCount));
    }

    [Fact]
    public async Task Nack_with_requeue_sets_the_redelivered_flag_and_keeps_the_order()
    {
        var (ch, q) = await QueueWithMessagesAsync(3);
        var first = await ch.BasicGetAsync(q, false, Ct);
        var second = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicNackAsync(second!.DeliveryTag, multiple: false, requeue: true, Ct);
        await ch.BasicNackAsync(first!.DeliveryTag, multiple: false, requeue: true, Ct);

        var texts = new List<(string, bool)>();
        for (var i = 0; i < 3; i++)
        {
            var got = await ch.BasicGetAsync(q, true, Ct);
            texts.Add((Text(got!.Body), got.Redelivered));
        }
        // Requeued messages go back to their original position.
        Assert.Equal([("m0", true), ("m1", true), ("m2", false)], texts);
    }

    [Fact]
    public async Task Nack_multiple_requeues_every_tag_up_to_the_given_one()
    {
        var (ch, q) = await QueueWithMessagesAsync(3);
        ulong last = 0;
        for (var i = 0; i < 3; i++)
            last = (await ch.BasicGetAsync(q, false, Ct))!.DeliveryTag;

        await ch.BasicNackAsync(last, multiple: true, requeue: true, Ct);

        Assert.Equal(3u, (await ch.BasicGetAsync(q, true, Ct))!.MessageCount + 1);
    }

    [Fact]
    public async Task Reject_without_requeue_drops_the_message()
    {
        var (ch, q) = await QueueWithMessagesAsync(2);
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);

        var next = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(("m1", 0u), (Text(next!.Body), next.MessageCount));
        Assert.Null(await ch.BasicGetAsync(q, true, Ct));
    }

    [Fact]
    public async Task Reject_with_requeue_redelivers()
    {
        var (ch, q) = await QueueWithMessagesAsync(1);
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: true, Ct);

        var again = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(("m0", true), (Text(again!.Body), again.Redelivered));
    }

    [Fact]
    public async Task Acking_an_unknown_delivery_tag_closes_the_channel_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();

        var reason = await ExpectChannelCloseAsync(ch, () => ch.BasicAckAsync(42, false, Ct).AsTask());

        AssertClose(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 42", 60, 80);
        Assert.True((await ConnectionAsync()).IsOpen);
    }

    [Fact]
    public async Task Acking_twice_closes_the_channel_with_precondition_failed()
    {
        var (ch, q) = await QueueWithMessagesAsync(1);
        var got = await ch.BasicGetAsync(q, false, Ct);
        await ch.BasicAckAsync(got!.DeliveryTag, false, Ct);

        var reason = await ExpectChannelCloseAsync(ch, () => ch.BasicAckAsync(got.DeliveryTag, false, Ct).AsTask());

        AssertClose(reason, 406, $"PRECONDITION_FAILED - unknown delivery tag {got.DeliveryTag}", 60, 80);
    }

    [Fact]
    public async Task Nacking_an_unknown_delivery_tag_closes_the_channel_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();

        var reason = await ExpectChannelCloseAsync(ch, () => ch.BasicNackAsync(7, false, true, Ct).AsTask());

        AssertClose(reason, 406, "PRECONDITION_FAILED - unknown delivery tag 7", 60, 120);
    }

    [Fact]
    public async Task Recover_requeues_unacked_messages_as_redelivered()
    {
        var (_, q) = await QueueWithMessagesAsync(1);
        // RabbitMQ.Client 7 has no basic.recover: speak it by hand.
        await using var raw = await RawAmqpSocket.ConnectAsync(Target.RequiredUri);
        await raw.HandshakeAsync();
        await raw.OpenChannelAsync(1);

        var first = await GetOverRawSocketAsync(raw, q);
        await raw.SendMethodAsync(1, 60, 110, w => w.Octet(1)); // basic.recover requeue=true
        await raw.ExpectMethodAsync(60, 111);
        var second = await GetOverRawSocketAsync(raw, q);

        Assert.Equal((false, true), (first, second));
    }

    /// <summary>basic.get no-ack=false; returns get-ok's redelivered bit (after the 8-byte delivery tag).</summary>
    private static async Task<bool> GetOverRawSocketAsync(RawAmqpSocket raw, string queue)
    {
        await raw.SendMethodAsync(1, 60, 70, w => w.Short(0).ShortStr(queue).Octet(0));
        var getOk = await raw.ExpectMethodAsync(60, 71);
        var header = await raw.ReadFrameAsync();
        Assert.Equal(RawFrame.Header, header.Type);
        Assert.Equal(RawFrame.Body, (await raw.ReadFrameAsync()).Type);
        return (getOk.Payload[4 + 8] & 1) == 1;
    }
}

[Collection(WarrenCollection.Name)]
public sealed class AcknowledgementTests_on_Warren(WarrenFixture f) : AcknowledgementTests(f.Target);

public sealed class AcknowledgementTests_on_RabbitMq(RabbitMqFixture f) : AcknowledgementTests(f.Target);
