using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

public abstract class DeadLetterTests(BrokerTarget target) : ParityTest(target)
{
    /// <summary>A fanout dead-letter exchange with one queue bound, and a source queue dead-lettering to it.</summary>
    private async Task<(IChannel Channel, string Source, string Dlx, string DeadLetters)> SetUpAsync(params (string Key, object? Value)[] sourceArguments)
    {
        var ch = await OpenChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var deadLetters = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(deadLetters, dlx, "", cancellationToken: Ct);
        var source = await DeclareQueueAsync(ch, arguments: Args([("x-dead-letter-exchange", dlx), .. sourceArguments]));
        return (ch, source, dlx, deadLetters);
    }

    private static async Task<BasicGetResult> GetOneAsync(IChannel ch, string queue)
    {
        BasicGetResult? got = null;
        await EventuallyAsync(async () => (got = await ch.BasicGetAsync(queue, true, Ct)) is not null, $"a message in {queue}");
        return got!;
    }

    [Fact]
    public async Task A_rejected_message_is_dead_lettered_with_an_x_death_header()
    {
        var (ch, source, dlx, deadLetters) = await SetUpAsync();
        await PublishAsync(ch, "", source, "poison", new BasicProperties { MessageId = "id-1", Headers = new Dictionary<string, object?> { ["app"] = "kept" } });
        var got = await ch.BasicGetAsync(source, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Equal(("poison", dlx, source, false), (Text(dead.Body), dead.Exchange, dead.RoutingKey, dead.Redelivered));
        Assert.Equal("id-1", dead.BasicProperties.MessageId);
        var headers = Headers(dead.BasicProperties);
        Assert.Equal("kept", Str(headers["app"]));
        var death = Assert.Single(XDeath(dead.BasicProperties));
        Assert.Equal(["count", "exchange", "queue", "reason", "routing-keys", "time"], death.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1L, Assert.IsType<long>(death["count"]));
        Assert.Equal(("rejected", source, ""), (Str(death["reason"]), Str(death["queue"]), Str(death["exchange"])));
        Assert.Equal([source], Strings(death["routing-keys"]));
        var time = Assert.IsType<AmqpTimestamp>(death["time"]);
        Assert.InRange(time.UnixTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
        Assert.Equal(("rejected", source, ""), (Str(headers["x-first-death-reason"]), Str(headers["x-first-death-queue"]), Str(headers["x-first-death-exchange"])));
        // (x-dotnet-pub-seq-no is RabbitMQ.Client's own, added by its confirm tracking.)
        Assert.Equal(["app", "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"],
            headers.Keys.Where(k => !k.StartsWith("x-dotnet", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_nacked_message_is_dead_lettered_with_the_dead_letter_routing_key()
    {
        var ch = await OpenChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var deadLetters = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(deadLetters, dlx, "dead", cancellationToken: Ct);
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var source = await DeclareQueueAsync(ch, arguments: Args(("x-dead-letter-exchange", dlx), ("x-dead-letter-routing-key", "dead")));
        await ch.QueueBindAsync(source, x, "original", cancellationToken: Ct);
        await PublishAsync(ch, x, "original", "poison");
        var got = await ch.BasicGetAsync(source, false, Ct);

        await ch.BasicNackAsync(got!.DeliveryTag, multiple: false, requeue: false, Ct);

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Equal((dlx, "dead"), (dead.Exchange, dead.RoutingKey));
        var death = Assert.Single(XDeath(dead.BasicProperties));
        // The x-death entry keeps where the message came from, not where it is dead-lettered to.
        Assert.Equal(("rejected", source, x), (Str(death["reason"]), Str(death["queue"]), Str(death["exchange"])));
        Assert.Equal(["original"], Strings(death["routing-keys"]));
        Assert.Equal(x, Str(Headers(dead.BasicProperties)["x-first-death-exchange"]));
    }

    [Fact]
    public async Task The_routing_keys_of_x_death_include_the_cc_keys()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync();
        await PublishAsync(ch, "", source, "m", new BasicProperties { Headers = new Dictionary<string, object?> { ["CC"] = new List<object> { "cc-key" } } });
        var got = await ch.BasicGetAsync(source, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Equal([source, "cc-key"], Strings(Assert.Single(XDeath(dead.BasicProperties))["routing-keys"]));
    }

    [Fact]
    public async Task Nack_multiple_without_requeue_dead_letters_every_message()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync();
        for (var i = 1; i <= 3; i++)
            await PublishAsync(ch, "", source, $"m{i}");
        ulong last = 0;
        for (var i = 1; i <= 3; i++)
            last = (await ch.BasicGetAsync(source, false, Ct))!.DeliveryTag;

        await ch.BasicNackAsync(last, multiple: true, requeue: false, Ct);

        await WaitForMessageCountAsync(ch, deadLetters, 3);
        Assert.Equal(["m1", "m2", "m3"], await DrainAsync(ch, deadLetters));
    }

    [Fact]
    public async Task A_requeued_message_is_not_dead_lettered()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync();
        await PublishAsync(ch, "", source, "m");
        var got = await ch.BasicGetAsync(source, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: true, Ct);

        await WaitForMessageCountAsync(ch, source, 1);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(deadLetters, Ct)).MessageCount);
    }

    [Fact]
    public async Task An_expired_message_is_dead_lettered_with_reason_expired()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync(("x-message-ttl", 100));

        await PublishAsync(ch, "", source, "late");

        var dead = await GetOneAsync(ch, deadLetters);
        var death = Assert.Single(XDeath(dead.BasicProperties));
        Assert.Equal(("expired", source, 1L), (Str(death["reason"]), Str(death["queue"]), (long)death["count"]!));
        Assert.Equal("expired", Str(Headers(dead.BasicProperties)["x-first-death-reason"]));
    }

    [Fact]
    public async Task A_message_expiration_moves_to_original_expiration_when_dead_lettered()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync();

        await PublishAsync(ch, "", source, "late", new BasicProperties { Expiration = "100" });

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Null(dead.BasicProperties.Expiration);
        var death = Assert.Single(XDeath(dead.BasicProperties));
        Assert.Equal(("expired", "100"), (Str(death["reason"]), Str(death["original-expiration"])));
        Assert.Equal(["count", "exchange", "original-expiration", "queue", "reason", "routing-keys", "time"], death.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rejected_message_keeps_its_expiration_in_original_expiration_too()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync();
        await PublishAsync(ch, "", source, "m", new BasicProperties { Expiration = "600000" });
        var got = await ch.BasicGetAsync(source, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Null(dead.BasicProperties.Expiration);
        Assert.Equal("600000", Str(Assert.Single(XDeath(dead.BasicProperties))["original-expiration"]));
    }

    [Fact]
    public async Task The_head_dropped_by_max_length_is_dead_lettered_with_reason_maxlen()
    {
        var (ch, source, _, deadLetters) = await SetUpAsync(("x-max-length", 1));

        await PublishAsync(ch, "", source, "oldest");
        await PublishAsync(ch, "", source, "newest");

        var dead = await GetOneAsync(ch, deadLetters);
        Assert.Equal(("oldest", "maxlen"), (Text(dead.Body), Str(Assert.Single(XDeath(dead.BasicProperties))["reason"])));
        Assert.Equal(["newest"], await DrainAsync(ch, source));
    }

    [Fact]
    public async Task A_message_dead_lettered_twice_from_the_same_queue_for_the_same_reason_counts_two()
    {
        var ch = await OpenChannelAsync();
        var q = NewName("q");
        // Dead-letters to itself through the default exchange; rejections are not a cycle.
        await DeclareQueueAsync(ch, q, arguments: Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", q)));
        await PublishAsync(ch, "", q, "boomerang");

        for (var i = 0; i < 2; i++)
        {
            BasicGetResult? got = null;
            await EventuallyAsync(async () => (got = await ch.BasicGetAsync(q, false, Ct)) is not null, "the message back");
            await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);
        }

        var back = await GetOneAsync(ch, q);
        Assert.False(back.Redelivered);
        var death = Assert.Single(XDeath(back.BasicProperties));
        Assert.Equal((2L, "rejected", q), ((long)death["count"]!, Str(death["reason"]), Str(death["queue"])));
        Assert.Equal([q], Strings(death["routing-keys"]));
    }

    [Fact]
    public async Task Deaths_in_different_queues_are_listed_most_recent_first()
    {
        var (ch, first, dlx, second) = await SetUpAsync();
        var third = await DeclareQueueAsync(ch);
        // "second" (bound to the fanout DLX) dead-letters in turn to "third".
        await ch.QueueDeleteAsync(second, cancellationToken: Ct);
        await DeclareQueueAsync(ch, second, arguments: Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", third)));
        await ch.QueueBindAsync(second, dlx, "", cancellationToken: Ct);
        await PublishAsync(ch, "", first, "m");
        await ch.BasicRejectAsync((await ch.BasicGetAsync(first, false, Ct))!.DeliveryTag, false, Ct);
        BasicGetResult? got = null;
        await EventuallyAsync(async () => (got = await ch.BasicGetAsync(second, false, Ct)) is not null, "the message in the second queue");

        await ch.BasicNackAsync(got!.DeliveryTag, false, false, Ct);

        var dead = await GetOneAsync(ch, third);
        var deaths = XDeath(dead.BasicProperties);
        Assert.Equal([(second, dlx), (first, "")], deaths.Select(d => (Str(d["queue"])!, Str(d["exchange"])!)));
        // The fanout DLX kept the routing key: both deaths list the key the message was first published with.
        Assert.Equal([[first], [first]], deaths.Select(d => Strings(d["routing-keys"])));
        var headers = Headers(dead.BasicProperties);
        Assert.Equal((first, ""), (Str(headers["x-first-death-queue"]), Str(headers["x-first-death-exchange"])));
    }

    [Fact]
    public async Task An_expiry_cycle_back_to_the_same_queue_drops_the_message()
    {
        var ch = await OpenChannelAsync();
        var dlx = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-dead-letter-exchange", dlx), ("x-message-ttl", 100)));
        var observer = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, dlx, "", cancellationToken: Ct);
        await ch.QueueBindAsync(observer, dlx, "", cancellationToken: Ct);

        await PublishAsync(ch, "", q, "cycling");

        // The observer gets the dead-lettered copy; the copy routed back to q itself is a fully automatic cycle: dropped.
        var dead = await GetOneAsync(ch, observer);
        Assert.Equal(("expired", q), (Str(Assert.Single(XDeath(dead.BasicProperties))["reason"]), Str(XDeath(dead.BasicProperties)[0]["queue"])));
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        await PublishAsync(ch, "", observer, "after");
        Assert.Equal(["after"], await DrainAsync(ch, observer));
    }

    [Fact]
    public async Task An_expiry_cycle_through_two_queues_drops_the_message_when_it_would_enter_the_first_again()
    {
        var ch = await OpenChannelAsync();
        var back = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var q2 = NewName("q");
        var q1 = await DeclareQueueAsync(ch, arguments: Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", q2), ("x-message-ttl", 100)));
        await DeclareQueueAsync(ch, q2, arguments: Args(("x-dead-letter-exchange", back), ("x-message-ttl", 100)));
        var observer = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q1, back, "", cancellationToken: Ct);
        await ch.QueueBindAsync(observer, back, "", cancellationToken: Ct);

        await PublishAsync(ch, "", q1, "cycling");

        var dead = await GetOneAsync(ch, observer);
        Assert.Equal([(q2, "expired", 1L), (q1, "expired", 1L)],
            XDeath(dead.BasicProperties).Select(d => (Str(d["queue"])!, Str(d["reason"])!, (long)d["count"]!)));
        Assert.Equal((0u, 0u), ((await ch.QueueDeclarePassiveAsync(q1, Ct)).MessageCount, (await ch.QueueDeclarePassiveAsync(q2, Ct)).MessageCount));
    }

    [Fact]
    public async Task A_cycle_that_includes_a_rejection_is_not_dropped()
    {
        var ch = await OpenChannelAsync();
        var q1 = NewName("q");
        var q2 = NewName("q");
        await DeclareQueueAsync(ch, q1, arguments: Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", q2), ("x-message-ttl", 100)));
        await DeclareQueueAsync(ch, q2, arguments: Args(("x-dead-letter-exchange", ""), ("x-dead-letter-routing-key", q1)));
        await PublishAsync(ch, "", q2, "m");

        // Rejected from q2 into q1, expired from q1 into q2 again: a rejection in the cycle, so it is not dropped.
        var r = await ch.BasicGetAsync(q2, false, Ct);
        await ch.BasicRejectAsync(r!.DeliveryTag, false, Ct);

        var inQ2Again = await GetOneAsync(ch, q2);
        Assert.Equal([(q1, "expired"), (q2, "rejected")], XDeath(inQ2Again.BasicProperties).Select(d => (Str(d["queue"])!, Str(d["reason"])!)));
        Assert.Equal(("rejected", q2), (Str(Headers(inQ2Again.BasicProperties)["x-first-death-reason"]), Str(Headers(inQ2Again.BasicProperties)["x-first-death-queue"])));
    }

    [Fact]
    public async Task A_missing_dead_letter_exchange_drops_the_message_silently()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-dead-letter-exchange", NewName("missing"))));
        await PublishAsync(ch, "", q, "m");
        var got = await ch.BasicGetAsync(q, false, Ct);

        await ch.BasicRejectAsync(got!.DeliveryTag, requeue: false, Ct);

        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Null(await ch.BasicGetAsync(q, true, Ct));
        Assert.True(ch.IsOpen);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class DeadLetterTests_on_Warren(WarrenFixture f) : DeadLetterTests(f.Target);

public sealed class DeadLetterTests_on_RabbitMq(RabbitMqFixture f) : DeadLetterTests(f.Target);
