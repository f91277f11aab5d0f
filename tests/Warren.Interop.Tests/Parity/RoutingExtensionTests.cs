using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class RoutingExtensionTests(BrokerTarget target) : ParityTest(target)
{
    private async Task<(IChannel Channel, string Exchange, string Routed, string Alternate)> WithAlternateExchangeAsync()
    {
        var ch = await OpenChannelAsync();
        var ae = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var alternate = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(alternate, ae, "", cancellationToken: Ct);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct, arguments: Args(("alternate-exchange", ae)));
        var routed = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(routed, x, "known", cancellationToken: Ct);
        return (ch, x, routed, alternate);
    }

    [Fact]
    public async Task An_alternate_exchange_receives_the_unroutable_messages()
    {
        var (ch, x, routed, alternate) = await WithAlternateExchangeAsync();

        await PublishAsync(ch, x, "known", "routed");
        await PublishAsync(ch, x, "unknown", "unroutable");

        Assert.Equal(["routed"], await DrainAsync(ch, routed));
        var got = await ch.BasicGetAsync(alternate, true, Ct);
        // Delivered with the exchange and routing key it was published with.
        Assert.Equal(("unroutable", x, "unknown", 0u), (Text(got!.Body), got.Exchange, got.RoutingKey, got.MessageCount));
    }

    [Fact]
    public async Task A_mandatory_message_routed_by_the_alternate_exchange_is_not_returned()
    {
        var (_, x, _, alternate) = await WithAlternateExchangeAsync();
        var (ch, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(ch, x, "unknown", "caught", mandatory: true);
        await log.WaitForAsync(1);

        Assert.Equal(["ack 1"], log.Events);
        Assert.Equal(["caught"], await DrainAsync(ch, alternate));
    }

    [Fact]
    public async Task A_mandatory_message_the_alternate_exchange_cannot_route_either_is_returned()
    {
        var ch = await OpenChannelAsync();
        var emptyAe = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct, arguments: Args(("alternate-exchange", emptyAe)));
        var (raw, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(raw, x, "unknown", "lost", mandatory: true);
        await log.WaitForAsync(1);

        Assert.Equal(["return 312 NO_ROUTE lost", "ack 1"], log.Events);
    }

    [Fact]
    public async Task A_missing_alternate_exchange_leaves_the_message_unroutable()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct, arguments: Args(("alternate-exchange", NewName("missing"))));
        var (raw, log) = await OpenRawConfirmChannelAsync();

        await PublishAsync(raw, x, "unknown", "lost", mandatory: true);
        await log.WaitForAsync(1);

        Assert.Equal(["return 312 NO_ROUTE lost", "ack 1"], log.Events);
        Assert.True(raw.IsOpen);
    }

    [Fact]
    public async Task Alternate_exchanges_chain()
    {
        var ch = await OpenChannelAsync();
        var last = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, last, "", cancellationToken: Ct);
        var middle = await DeclareExchangeAsync(ch, ExchangeType.Direct, arguments: Args(("alternate-exchange", last)));
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct, arguments: Args(("alternate-exchange", middle)));

        await PublishAsync(ch, x, "unknown", "twice unroutable");

        Assert.Equal(["twice unroutable"], await DrainAsync(ch, q));
    }

    private async Task<(IChannel Channel, string Exchange, string[] Queues)> DirectWithThreeQueuesAsync()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var queues = new string[3];
        for (var i = 0; i < 3; i++)
        {
            queues[i] = await DeclareQueueAsync(ch);
            await ch.QueueBindAsync(queues[i], x, $"k{i + 1}", cancellationToken: Ct);
        }
        return (ch, x, queues);
    }

    [Fact]
    public async Task Cc_and_bcc_headers_route_to_extra_queues_and_bcc_is_stripped()
    {
        var (ch, x, queues) = await DirectWithThreeQueuesAsync();

        await PublishAsync(ch, x, "k1", "m", new BasicProperties
        {
            Headers = new Dictionary<string, object?>
            {
                ["CC"] = new List<object> { "k2" },
                ["BCC"] = new List<object> { "k3" },
                ["other"] = "kept",
            },
        });

        foreach (var q in queues)
        {
            var got = await ch.BasicGetAsync(q, true, Ct);
            Assert.Equal(("m", "k1", 0u), (Text(got!.Body), got.RoutingKey, got.MessageCount));
            var headers = Headers(got.BasicProperties);
            Assert.Equal(["k2"], Strings(headers["CC"]));
            Assert.False(headers.ContainsKey("BCC"));
            Assert.Equal("kept", Str(headers["other"]));
        }
    }

    [Fact]
    public async Task A_queue_matched_by_both_the_routing_key_and_cc_gets_one_copy()
    {
        var (ch, x, queues) = await DirectWithThreeQueuesAsync();

        await PublishAsync(ch, x, "k1", "m", new BasicProperties
        {
            Headers = new Dictionary<string, object?> { ["CC"] = new List<object> { "k1", "k2", "k2" } },
        });

        Assert.Equal(["m"], await DrainAsync(ch, queues[0]));
        Assert.Equal(["m"], await DrainAsync(ch, queues[1]));
        Assert.Equal([], await DrainAsync(ch, queues[2]));
    }

    [Theory]
    [InlineData("CC")]
    [InlineData("BCC")]
    public async Task A_cc_or_bcc_header_that_is_not_an_array_closes_the_channel(string header)
    {
        var (ch, x, queues) = await DirectWithThreeQueuesAsync();
        var publisher = await OpenChannelAsync(confirms: false);

        var reason = await ExpectChannelCloseAsync(publisher, () => PublishAsync(publisher, x, "k1", "m", new BasicProperties
        {
            Headers = new Dictionary<string, object?> { [header] = "k2" },
        }));

        AssertClose(reason, 406, $"PRECONDITION_FAILED - invalid message: {{unacceptable_type_in_header,\"{header}\",longstr}}", 60, 40);
        Assert.Equal([], await DrainAsync(ch, queues[0]));
    }

    [Fact]
    public async Task Cc_applies_to_topic_exchanges_as_extra_routing_keys()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Topic);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, x, "audit.#", cancellationToken: Ct);

        await PublishAsync(ch, x, "orders.placed", "m", new BasicProperties
        {
            Headers = new Dictionary<string, object?> { ["BCC"] = new List<object> { "audit.orders" } },
        });

        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(("m", "orders.placed"), (Text(got!.Body), got.RoutingKey));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class RoutingExtensionTests_on_Warren(WarrenFixture f) : RoutingExtensionTests(f.Target);

public sealed class RoutingExtensionTests_on_RabbitMq(RabbitMqFixture f) : RoutingExtensionTests(f.Target);
