using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Model;

public sealed class RoutingTests
{
    [Fact]
    public void The_default_exchange_routes_to_the_queue_named_by_the_routing_key()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");

        Assert.Equal(1, vhost.Publish("", Message("hello", "q")).QueueCount);
        Assert.Equal(0, vhost.Publish("", Message("lost", "nobody")).QueueCount);
        Assert.Equal(["hello"], queue.Drain());
    }

    [Fact]
    public void A_direct_exchange_routes_on_the_exact_key_and_returns_the_number_of_queues()
    {
        var vhost = NewVirtualHost();
        var a = vhost.DeclareQueue("a");
        var b = vhost.DeclareQueue("b");
        var c = vhost.DeclareQueue("c");
        vhost.Bind("a", "amq.direct", "red");
        vhost.Bind("b", "amq.direct", "red");
        vhost.Bind("c", "amq.direct", "blue");

        Assert.Equal(2, vhost.Publish("amq.direct", Message("r", "red")).QueueCount);
        Assert.Equal(1, vhost.Publish("amq.direct", Message("b", "blue")).QueueCount);
        Assert.Equal(0, vhost.Publish("amq.direct", Message("x", "Red")).QueueCount);
        Assert.Equal(["r"], a.Drain());
        Assert.Equal(["r"], b.Drain());
        Assert.Equal(["b"], c.Drain());
    }

    [Fact]
    public void A_fanout_exchange_routes_to_every_bound_queue_whatever_the_key()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("a");
        vhost.DeclareQueue("b");
        vhost.Bind("a", "amq.fanout", "ignored");
        vhost.Bind("b", "amq.fanout");

        Assert.Equal(2, vhost.Publish("amq.fanout", Message("m", "any.key")).QueueCount);
    }

    [Theory]
    [InlineData("orders.placed", new[] { "star", "hash", "exact" })]
    [InlineData("orders.eu.placed", new[] { "hash", "deep" })]
    [InlineData("orders", new[] { "hash" })]
    [InlineData("invoices.placed", new string[0])]
    public void A_topic_exchange_routes_on_star_and_hash_patterns(string key, string[] expected)
    {
        var vhost = NewVirtualHost();
        foreach (var (queue, pattern) in new[] { ("star", "orders.*"), ("hash", "orders.#"), ("exact", "orders.placed"), ("deep", "*.eu.#") })
        {
            vhost.DeclareQueue(queue);
            vhost.Bind(queue, "amq.topic", pattern);
        }

        Assert.Equal(expected.Length, vhost.Publish("amq.topic", Message("m", key)).QueueCount);
        var reached = vhost.Queues.Where(q => q.MessageCount == 1).Select(q => q.Name).Order();
        Assert.Equal(expected.Order(), reached);
    }

    [Fact]
    public void A_headers_exchange_routes_on_all_or_any_of_the_binding_arguments()
    {
        var vhost = NewVirtualHost();
        var all = vhost.DeclareQueue("all");
        var any = vhost.DeclareQueue("any");
        vhost.Bind("all", "amq.headers", "", new() { ["x-match"] = "all", ["format"] = "pdf", ["type"] = "report" });
        vhost.Bind("any", "amq.headers", "", new() { ["x-match"] = "any", ["format"] = "pdf", ["type"] = "report" });

        Assert.Equal(2, vhost.Publish("amq.headers", Message("both", headers: new() { ["format"] = "pdf", ["type"] = "report" })).QueueCount);
        Assert.Equal(1, vhost.Publish("amq.headers", Message("one", headers: new() { ["format"] = "pdf" })).QueueCount);
        Assert.Equal(0, vhost.Publish("amq.headers", Message("none", headers: new() { ["format"] = "zip" })).QueueCount);
        Assert.Equal(0, vhost.Publish("amq.headers", Message("no headers")).QueueCount);
        Assert.Equal(["both"], all.Drain());
        Assert.Equal(["both", "one"], any.Drain());
    }

    [Fact]
    public void Binding_a_headers_exchange_with_an_invalid_x_match_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        Refused(BrokerError.PreconditionFailed, () => vhost.Bind("q", "amq.headers", "", new() { ["x-match"] = "some" }));

        Assert.Equal(0, vhost.GetExchange("amq.headers").BindingCount);
    }

    [Theory]
    [InlineData(ExchangeTypes.Topic, "a.b", "a.*", "#")]
    [InlineData(ExchangeTypes.Fanout, "k", "one", "two")]
    [InlineData(ExchangeTypes.Direct, "k", "k", "k")]
    public void A_queue_bound_twice_by_matching_bindings_gets_one_copy(string type, string key, string binding1, string binding2)
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("x", type);
        var queue = vhost.DeclareQueue("q");
        vhost.Bind("q", "x", binding1);
        vhost.Bind("q", "x", binding2);

        Assert.Equal(1, vhost.Publish("x", Message("m", key)).QueueCount);
        Assert.Equal(1, queue.MessageCount);
    }

    [Fact]
    public void Binding_the_same_queue_with_the_same_key_twice_is_one_binding()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");
        vhost.Bind("q", "amq.direct", "k");
        vhost.Bind("q", "amq.direct", "k");

        Assert.Equal(1, vhost.GetExchange("amq.direct").BindingCount);
    }

    [Fact]
    public void Many_queues_each_reached_by_several_bindings_get_one_copy_each()
    {
        // Past a handful of queues the router deduplicates with a set rather than a list scan.
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("topic", ExchangeTypes.Topic);
        var queues = Enumerable.Range(0, 20).Select(i => vhost.DeclareQueue($"q{i}")).ToList();
        foreach (var queue in queues)
        {
            vhost.Bind(queue.Name, "topic", "a.*");
            vhost.Bind(queue.Name, "topic", "#");
            vhost.Bind(queue.Name, "topic", "a.b");
        }

        Assert.Equal(20, vhost.Publish("topic", Message("m", "a.b")).QueueCount);
        Assert.All(queues, q => Assert.Equal(1, q.MessageCount));
        // The scratch state is reset between publishes.
        Assert.Equal(20, vhost.Publish("topic", Message("m2", "a.b")).QueueCount);
        Assert.All(queues, q => Assert.Equal(2, q.MessageCount));
    }

    [Fact]
    public void A_message_routed_to_several_queues_is_the_same_instance_in_each()
    {
        var vhost = NewVirtualHost();
        var queues = Enumerable.Range(0, 3).Select(i => vhost.DeclareQueue($"q{i}")).ToList();
        foreach (var queue in queues) vhost.Bind(queue.Name, "amq.fanout");
        var consumer = new RecordingConsumer("c");
        queues[2].AddConsumer(consumer);
        var message = Message("shared");

        Assert.Equal(3, vhost.Publish("amq.fanout", message).QueueCount);

        Assert.True(queues[0].TryGet(noAck: true, out var first, out _));
        Assert.True(queues[1].TryGet(noAck: true, out var second, out _));
        Assert.Same(message, first.Message);
        Assert.Same(message, second.Message);
        Assert.Same(message, Assert.Single(consumer.Entries).Message);
        Assert.Same(message.Body, first.Message.Body);
    }

    [Fact]
    public void An_exchange_bound_to_an_exchange_forwards_matching_messages()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("front", ExchangeTypes.Topic);
        vhost.DeclareExchange("back", ExchangeTypes.Direct);
        var queue = vhost.DeclareQueue("q");
        vhost.BindExchange("back", "front", "orders.#", null);
        vhost.Bind("q", "back", "orders.placed");

        Assert.Equal(1, vhost.Publish("front", Message("m", "orders.placed")).QueueCount);
        Assert.Equal(0, vhost.Publish("front", Message("m", "orders.paid")).QueueCount);
        Assert.Equal(0, vhost.Publish("front", Message("m", "invoices.placed")).QueueCount);
        Assert.Equal(1, queue.MessageCount);

        vhost.UnbindExchange("back", "front", "orders.#", null);
        Assert.Equal(0, vhost.Publish("front", Message("m", "orders.placed")).QueueCount);
    }

    [Fact]
    public async Task An_exchange_cycle_delivers_once_to_each_queue_and_terminates()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("A", ExchangeTypes.Fanout);
        vhost.DeclareExchange("B", ExchangeTypes.Fanout);
        vhost.BindExchange("B", "A", "", null);
        vhost.BindExchange("A", "B", "", null);
        var qa = vhost.DeclareQueue("qa");
        var qb = vhost.DeclareQueue("qb");
        vhost.Bind("qa", "A");
        vhost.Bind("qb", "B");
        vhost.Bind("qa", "B");

        // Run off the test thread so that a routing loop fails the test instead of hanging it.
        var routed = await Task.Run(() => vhost.Publish("A", Message("m"))).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var fromB = await Task.Run(() => vhost.Publish("B", Message("m"))).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(2, routed.QueueCount);
        Assert.Equal(2, fromB.QueueCount);
        Assert.Equal(2, qa.MessageCount);
        Assert.Equal(2, qb.MessageCount);
    }

    [Fact]
    public void An_exchange_bound_to_itself_routes_once()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("self", ExchangeTypes.Fanout);
        vhost.BindExchange("self", "self", "", null);
        var queue = vhost.DeclareQueue("q");
        vhost.Bind("q", "self");

        Assert.Equal(1, vhost.Publish("self", Message("m")).QueueCount);
        Assert.Equal(1, queue.MessageCount);
    }

    [Fact]
    public void Publishing_to_an_internal_exchange_is_refused_but_it_routes_from_a_bound_exchange()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("inner", ExchangeTypes.Fanout, PlainExchange with { Internal = true });
        vhost.DeclareExchange("outer", ExchangeTypes.Fanout);
        vhost.BindExchange("inner", "outer", "", null);
        vhost.DeclareQueue("q");
        vhost.Bind("q", "inner");

        var e = Refused(BrokerError.AccessRefused, () => vhost.Publish("inner", Message("m")));

        Assert.Equal("cannot publish to internal exchange 'inner' in vhost 'test'", e.Message);
        Assert.Equal(1, vhost.Publish("outer", Message("m")).QueueCount);
    }

    [Fact]
    public void Publishing_to_a_missing_exchange_fails_with_not_found()
    {
        var vhost = NewVirtualHost();

        var e = Refused(BrokerError.NotFound, () => vhost.Publish("missing", Message("m")));

        Assert.Equal("no exchange 'missing' in vhost 'test'", e.Message);
    }

    [Fact]
    public void Binding_to_the_default_exchange_is_refused()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        Refused(BrokerError.AccessRefused, () => vhost.Bind("q", "", "q"));
    }

    [Fact]
    public void Binding_a_missing_queue_or_to_a_missing_exchange_fails_with_not_found()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        Refused(BrokerError.NotFound, () => vhost.Bind("missing", "amq.direct", "k"));
        Refused(BrokerError.NotFound, () => vhost.Bind("q", "missing", "k"));
    }

    [Fact]
    public void Unbinding_stops_routing_and_a_missing_binding_is_not_an_error()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");
        vhost.Bind("q", "amq.direct", "k");

        vhost.UnbindQueue("q", "amq.direct", "k", null, null);
        vhost.UnbindQueue("q", "amq.direct", "k", null, null);

        Assert.Equal(0, vhost.Publish("amq.direct", Message("m", "k")).QueueCount);
    }

    [Fact]
    public void An_auto_delete_exchange_is_removed_when_its_last_binding_goes()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("temp", ExchangeTypes.Direct, PlainExchange with { AutoDelete = true });
        vhost.DeclareQueue("a");
        vhost.DeclareQueue("b");
        vhost.Bind("a", "temp", "k");
        vhost.Bind("b", "temp", "k");

        vhost.UnbindQueue("a", "temp", "k", null, null);
        Assert.True(vhost.TryGetExchange("temp", out _));

        vhost.UnbindQueue("b", "temp", "k", null, null);
        Assert.False(vhost.TryGetExchange("temp", out _));
    }

    [Fact]
    public void An_auto_delete_exchange_is_removed_when_the_queue_holding_its_last_binding_is_deleted()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("temp", ExchangeTypes.Fanout, PlainExchange with { AutoDelete = true });
        vhost.DeclareQueue("q");
        vhost.Bind("q", "temp");

        vhost.DeleteQueue("q", false, false, null);

        Assert.False(vhost.TryGetExchange("temp", out _));
    }

    [Fact]
    public void An_auto_delete_exchange_without_bindings_stays_until_one_is_removed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("temp", ExchangeTypes.Fanout, PlainExchange with { AutoDelete = true });

        Assert.True(vhost.TryGetExchange("temp", out _));
    }

    [Fact]
    public void Deleting_a_queue_removes_its_bindings_and_cancels_its_consumers()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.Bind("q", "amq.direct", "k");
        vhost.Bind("q", "amq.topic", "#");
        var first = new RecordingConsumer("c1");
        var second = new RecordingConsumer("c2");
        queue.AddConsumer(first);
        queue.AddConsumer(second);

        vhost.DeleteQueue("q", ifUnused: false, ifEmpty: false, connection: null);

        Assert.Equal(1, first.CancelledCount);
        Assert.Equal(1, second.CancelledCount);
        Assert.Equal(0, queue.ConsumerCount);
        Assert.Equal(0, vhost.GetExchange("amq.direct").BindingCount);
        Assert.Equal(0, vhost.GetExchange("amq.topic").BindingCount);
        Assert.Equal(0, vhost.Publish("amq.direct", Message("m", "k")).QueueCount);
        // A queue of the same name declared later does not inherit the bindings.
        vhost.DeclareQueue("q");
        Assert.Equal(0, vhost.Publish("amq.topic", Message("m", "any")).QueueCount);
    }

    [Fact]
    public void A_deleted_queue_accepts_nothing()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.DeleteQueue("q", false, false, null);

        queue.Enqueue(Message("late"));

        Assert.Equal(0, queue.MessageCount);
        Refused(BrokerError.NotFound, () => queue.AddConsumer(new RecordingConsumer("c")));
    }
}
