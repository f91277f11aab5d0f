using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class ExchangeTests(BrokerTarget target) : InteropTest(target)
{
    [Theory]
    [InlineData(ExchangeType.Direct)]
    [InlineData(ExchangeType.Fanout)]
    [InlineData(ExchangeType.Topic)]
    [InlineData(ExchangeType.Headers)]
    public async Task Every_exchange_type_can_be_declared_and_found_passively(string type)
    {
        var ch = await OpenChannelAsync();

        var x = await DeclareExchangeAsync(ch, type);

        await ch.ExchangeDeclarePassiveAsync(x, Ct);
        // Redeclaring with the same properties is a no-op.
        await ch.ExchangeDeclareAsync(x, type, cancellationToken: Ct);
    }

    [Fact]
    public async Task Passive_declare_of_a_missing_exchange_fails_with_not_found()
    {
        var ch = await OpenChannelAsync();
        var x = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclarePassiveAsync(x, Ct));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no exchange '{x}' in vhost '/'", 40, 10);
    }

    [Fact]
    public async Task Redeclaring_with_another_type_fails_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclareAsync(x, ExchangeType.Fanout, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - inequivalent arg 'type' for exchange '{x}' in vhost '/': received 'fanout' but current is 'direct'", 40, 10);
    }

    [Fact]
    public async Task Redeclaring_with_another_durability_fails_with_precondition_failed()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclareAsync(x, ExchangeType.Direct, durable: true, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406,
            $"PRECONDITION_FAILED - inequivalent arg 'durable' for exchange '{x}' in vhost '/': received 'true' but current is 'false'", 40, 10);
    }

    [Fact]
    public async Task Declaring_an_exchange_named_amq_dot_is_refused()
    {
        var ch = await OpenChannelAsync();
        var x = "amq." + Guid.NewGuid().ToString("N");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclareAsync(x, ExchangeType.Direct, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 403, $"ACCESS_REFUSED - exchange name '{x}' contains reserved prefix 'amq.*'", 40, 10);
    }

    [Fact]
    public async Task Declaring_an_unknown_exchange_type_is_a_connection_error()
    {
        var c = await ConnectionAsync();
        var ch = await c.CreateChannelAsync(cancellationToken: Ct);
        var x = NewName("x");

        // Surprising but RabbitMQ's behaviour: command-invalid is a hard error, the whole connection closes.
        var reason = await ExpectConnectionCloseAsync(c, ch, () => ch.ExchangeDeclareAsync(x, "no-such-type", cancellationToken: Ct));

        AssertClose(reason, 503, "COMMAND_INVALID - unknown exchange type 'no-such-type'", 40, 10);
    }

    [Fact]
    public async Task A_deleted_exchange_is_gone()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Fanout);

        await ch.ExchangeDeleteAsync(x, cancellationToken: Ct);

        await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclarePassiveAsync(x, Ct));
    }

    [Fact]
    public async Task Deleting_a_missing_exchange_succeeds()
    {
        var ch = await OpenChannelAsync();

        // RabbitMQ made exchange.delete idempotent: no 404.
        await ch.ExchangeDeleteAsync(NewName("missing"), cancellationToken: Ct);

        Assert.True(ch.IsOpen);
    }

    [Fact]
    public async Task Delete_if_unused_fails_while_the_exchange_has_bindings()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, x, "k", cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeleteAsync(x, ifUnused: true, cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 406, $"PRECONDITION_FAILED - exchange '{x}' in vhost '/' in use", 40, 20);
    }

    [Fact]
    public async Task Delete_if_unused_succeeds_without_bindings()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);

        await ch.ExchangeDeleteAsync(x, ifUnused: true, cancellationToken: Ct);

        await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclarePassiveAsync(x, Ct));
    }

    [Theory]
    [InlineData("amq.direct")]
    [InlineData("amq.fanout")]
    [InlineData("amq.topic")]
    [InlineData("amq.headers")]
    [InlineData("amq.match")]
    public async Task Predeclared_exchanges_exist(string name)
    {
        var ch = await OpenChannelAsync();

        await ch.ExchangeDeclarePassiveAsync(name, Ct);
    }

    [Fact]
    public async Task Passive_declare_of_the_default_exchange_is_refused()
    {
        var ch = await OpenChannelAsync();

        // Surprising: even a passive declare of "" is refused (RabbitMQ 3.10), not answered with declare-ok.
        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeclarePassiveAsync("", Ct));

        AssertClose(ex.ShutdownReason!, 403, "ACCESS_REFUSED - operation not permitted on the default exchange", 40, 10);
    }

    [Fact]
    public async Task The_default_exchange_cannot_be_deleted()
    {
        var ch = await OpenChannelAsync();

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.ExchangeDeleteAsync("", cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 403, "ACCESS_REFUSED - operation not permitted on the default exchange", 40, 20);
    }

    [Fact]
    public async Task A_queue_cannot_be_bound_to_the_default_exchange()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueBindAsync(q, "", "k", cancellationToken: Ct));

        AssertClose(ex.ShutdownReason!, 403, "ACCESS_REFUSED - operation not permitted on the default exchange", 50, 20);
    }

    [Fact]
    public async Task Exchange_to_exchange_bindings_route_and_unbind_stops_routing()
    {
        var ch = await OpenChannelAsync();
        var source = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var destination = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, destination, "", cancellationToken: Ct);
        await ch.ExchangeBindAsync(destination, source, "k", cancellationToken: Ct);

        await PublishAsync(ch, source, "k", "routed");
        await PublishAsync(ch, source, "other", "not routed");
        await ch.ExchangeUnbindAsync(destination, source, "k", cancellationToken: Ct);
        await PublishAsync(ch, source, "k", "after unbind");

        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal("routed", Text(got!.Body));
        Assert.Equal(source, got.Exchange);
        Assert.Equal("k", got.RoutingKey);
        Assert.Null(await ch.BasicGetAsync(q, true, Ct));
    }

    [Fact]
    public async Task An_internal_exchange_cannot_be_published_to()
    {
        var ch = await OpenChannelAsync();
        var x = NewName("internal");
        await DeclareInternalExchangeAsync(ch, x);
        DeleteExchangeAfterTest(x);

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, x, "", "nope"));

        AssertClose(reason, 403, $"ACCESS_REFUSED - cannot publish to internal exchange '{x}' in vhost '/'", 60, 40);
    }

    [Fact]
    public async Task An_internal_exchange_still_routes_what_is_bound_to_it()
    {
        var ch = await OpenChannelAsync();
        var front = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var hidden = NewName("internal");
        await DeclareInternalExchangeAsync(ch, hidden);
        DeleteExchangeAfterTest(hidden);
        var q = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(q, hidden, "", cancellationToken: Ct);
        await ch.ExchangeBindAsync(hidden, front, "", cancellationToken: Ct);

        await PublishAsync(ch, front, "", "through the internal exchange");

        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal("through the internal exchange", Text(got!.Body));
    }

    /// <summary>
    /// RabbitMQ.Client 7 has no parameter for exchange.declare's "internal" bit, so this opens a raw
    /// connection and sends the method by hand.
    /// </summary>
    private async Task DeclareInternalExchangeAsync(IChannel ch, string name)
    {
        await using var raw = await RawAmqpSocket.ConnectAsync(Target.RequiredUri);
        await raw.HandshakeAsync();
        await raw.SendMethodAsync(1, 20, 10, w => w.ShortStr(""));
        await raw.ExpectMethodAsync(20, 11);
        // exchange.declare: ticket, exchange, type, bits (passive, durable, auto-delete, internal, no-wait), arguments
        await raw.SendMethodAsync(1, 40, 10, w => w.Short(0).ShortStr(name).ShortStr("fanout").Octet(0b0000_1000).EmptyTable());
        await raw.ExpectMethodAsync(40, 11);
        await ch.ExchangeDeclarePassiveAsync(name, Ct);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ExchangeTests_on_Warren(WarrenFixture f) : ExchangeTests(f.Target);

public sealed class ExchangeTests_on_RabbitMq(RabbitMqFixture f) : ExchangeTests(f.Target);
