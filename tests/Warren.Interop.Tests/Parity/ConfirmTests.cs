using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class ConfirmTests(BrokerTarget target) : ParityTest(target)
{
    [Fact]
    public async Task Confirms_acknowledge_every_publish_in_order_possibly_coalesced_with_multiple()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var q = await DeclareQueueAsync(ch);

        for (var i = 1; i <= 200; i++)
            await PublishAsync(ch, "", q, $"m{i}");
        await log.WaitForAsync(200);

        // Tags 1..200, each exactly once, all acks, in increasing order; "multiple" covers the gap since the last ack.
        Assert.Equal(Enumerable.Range(1, 200).Select(i => ((ulong)i, true)), log.Confirmed());
        Assert.All(log.Events, e => Assert.StartsWith("ack ", e));
    }

    [Fact]
    public async Task An_unroutable_message_is_acked_too()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(ch, "amq.direct", NewName("nowhere"), "lost");
        await log.WaitForAsync(1);

        Assert.Equal(["ack 1"], log.Events);
    }

    [Fact]
    public async Task A_mandatory_unroutable_message_is_returned_before_it_is_acked()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "routed");
        await PublishAsync(ch, "amq.direct", NewName("nowhere"), "unroutable", mandatory: true);
        await PublishAsync(ch, "", q, "routed again");
        await log.WaitForAsync(3);

        // Every tag acked (the unroutable one too), the return strictly before the ack of tag 2.
        Assert.Equal([(1ul, true), (2ul, true), (3ul, true)], log.Confirmed());
        var returned = log.Events.IndexOf("return 312 NO_ROUTE unroutable");
        Assert.InRange(returned, 0, log.IndexOfConfirm(2) - 1);
    }

    [Fact]
    public async Task Publishing_to_a_missing_exchange_closes_the_channel_without_a_confirm()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var x = NewName("missing");

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, x, "k", "m"));

        AssertClose(reason, 404, $"NOT_FOUND - no exchange '{x}' in vhost '/'", 60, 40);
        Assert.Empty(log.Events);
    }

    [Fact]
    public async Task A_publish_refused_by_reject_publish_overflow_is_nacked()
    {
        var (ch, log) = await OpenRawConfirmChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1), ("x-overflow", "reject-publish")));

        await PublishAsync(ch, "", q, "m1");
        await PublishAsync(ch, "", q, "m2");
        await PublishAsync(ch, "", q, "m3");
        await log.WaitForAsync(3);

        Assert.Equal([(1ul, true), (2ul, false), (3ul, false)], log.Confirmed());
        Assert.Equal(["m1"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task The_tracking_client_sees_a_nack_as_a_failed_publish()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1), ("x-overflow", "reject-publish")));
        await PublishAsync(ch, "", q, "m1");

        var ex = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.PublishException>(() => PublishAsync(ch, "", q, "m2"));

        Assert.False(ex.IsReturn);
        Assert.Equal(2ul, ex.PublishSequenceNumber);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ConfirmTests_on_Warren(WarrenFixture f) : ConfirmTests(f.Target);

public sealed class ConfirmTests_on_RabbitMq(RabbitMqFixture f) : ConfirmTests(f.Target);
