using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class RoutingTests(BrokerTarget target) : InteropTest(target)
{
    private async Task<uint> CountAsync(IChannel ch, string q) => (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount;

    [Fact]
    public async Task The_default_exchange_routes_by_queue_name()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PublishAsync(ch, "", q, "hello");

        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(("hello", "", q), (Text(got!.Body), got.Exchange, got.RoutingKey));
    }

    [Fact]
    public async Task A_direct_exchange_routes_on_exact_key()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var a = await DeclareQueueAsync(ch);
        var b = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(a, x, "a", cancellationToken: Ct);
        await ch.QueueBindAsync(b, x, "b", cancellationToken: Ct);

        await PublishAsync(ch, x, "a", "1");
        await PublishAsync(ch, x, "b", "2");
        await PublishAsync(ch, x, "b", "3");
        await PublishAsync(ch, x, "c", "lost");

        Assert.Equal((1u, 2u), (await CountAsync(ch, a), await CountAsync(ch, b)));
    }

    [Fact]
    public async Task A_fanout_exchange_copies_to_every_bound_queue_ignoring_the_key()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var queues = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var q = await DeclareQueueAsync(ch);
            await ch.QueueBindAsync(q, x, $"ignored-{i}", cancellationToken: Ct);
            queues.Add(q);
        }

        await PublishAsync(ch, x, "whatever", "to all");

        foreach (var q in queues)
            Assert.Equal("to all", Text((await ch.BasicGetAsync(q, true, Ct))!.Body));
    }

    [Theory]
    [InlineData("#", "a.b.c", true)]
    [InlineData("#", "a", true)]
    [InlineData("#", "", true)]
    [InlineData("*", "a", true)]
    [InlineData("*", "a.b", false)]
    [InlineData("*", "", false)]
    [InlineData("a.*", "a.b", true)]
    [InlineData("a.*", "a", false)]
    [InlineData("a.*", "a.b.c", false)]
    [InlineData("a.#", "a", true)]
    [InlineData("a.#", "a.b.c", true)]
    [InlineData("a.#.b", "a.b", true)]
    [InlineData("a.#.b", "a.x.b", true)]
    [InlineData("a.#.b", "a.x.y.b", true)]
    [InlineData("a.#.b", "a.b.c", false)]
    [InlineData("a.#.b", "b", false)]
    [InlineData("#.b", "b", true)]
    [InlineData("*.*", "a..", false)]
    [InlineData("a.*.c", "a..c", true)]
    [InlineData("a.b", "a.b", true)]
    [InlineData("a.b", "a.B", false)]
    public async Task A_topic_exchange_matches_words(string bindingKey, string routingKey, bool routed)
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Topic);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, x, bindingKey, cancellationToken: Ct);

        await PublishAsync(ch, x, routingKey, "m");

        Assert.Equal(routed, await ch.BasicGetAsync(q, true, Ct) is not null);
    }

    [Theory]
    [InlineData("all", true, true, true)]
    [InlineData("all", true, false, false)]
    [InlineData("any", true, false, true)]
    [InlineData("any", false, false, false)]
    public async Task A_headers_exchange_matches_all_or_any(string xMatch, bool withColour, bool withSize, bool routed)
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Headers);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, x, "", new Dictionary<string, object?> { ["x-match"] = xMatch, ["colour"] = "red", ["size"] = 42 }, cancellationToken: Ct);
        var headers = new Dictionary<string, object?> { ["other"] = "x" };
        if (withColour)
            headers["colour"] = "red";
        if (withSize)
            headers["size"] = 42;

        await PublishAsync(ch, x, "ignored", "m", new BasicProperties { Headers = headers });

        Assert.Equal(routed, await ch.BasicGetAsync(q, true, Ct) is not null);
    }

    [Fact]
    public async Task One_message_routed_to_several_queues_arrives_in_each()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Topic);
        var a = await DeclareQueueAsync(ch);
        var b = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(a, x, "k.*", cancellationToken: Ct);
        await ch.QueueBindAsync(b, x, "#", cancellationToken: Ct);
        await ch.QueueBindAsync(b, x, "k.x", cancellationToken: Ct);

        await PublishAsync(ch, x, "k.x", "shared");

        // Two bindings from x to b still deliver one copy to b.
        Assert.Equal((1u, 1u), (await CountAsync(ch, a), await CountAsync(ch, b)));
    }

    [Fact]
    public async Task A_mandatory_unroutable_message_is_returned_with_no_route()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        // The body's memory belongs to the client only while the handler runs: read it there.
        var returned = new TaskCompletionSource<(BasicReturnEventArgs Args, string Body)>(TaskCreationOptions.RunContinuationsAsynchronously);
        ch.BasicReturnAsync += (_, e) => { returned.TrySetResult((e, Text(e.Body))); return Task.CompletedTask; };

        await PublishAsync(ch, x, "nowhere", "bounce", new BasicProperties { MessageId = "m1" }, mandatory: true);

        var (r, body) = await returned.Task.WaitAsync(Timeout, Ct);
        Assert.Equal((312, "NO_ROUTE", x, "nowhere", "bounce", "m1"),
            (r.ReplyCode, r.ReplyText, r.Exchange, r.RoutingKey, body, r.BasicProperties.MessageId));
        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task A_non_mandatory_unroutable_message_is_dropped_silently()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        await PublishAsync(ch, x, "nowhere", "dropped");

        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Publishing_to_a_missing_exchange_closes_the_channel_with_not_found()
    {
        var ch = await OpenChannelAsync(confirms: false);
        var x = NewName("missing");

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, x, "k", "m"));

        AssertClose(reason, 404, $"NOT_FOUND - no exchange '{x}' in vhost '/'", 60, 40);
        Assert.True((await ConnectionAsync()).IsOpen);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class RoutingTests_on_Warren(WarrenFixture f) : RoutingTests(f.Target);

public sealed class RoutingTests_on_RabbitMq(RabbitMqFixture f) : RoutingTests(f.Target);
