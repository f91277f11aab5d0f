using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Model;

public sealed class ExchangeDeclarationTests
{
    [Theory]
    [InlineData("amq.direct", ExchangeTypes.Direct)]
    [InlineData("amq.fanout", ExchangeTypes.Fanout)]
    [InlineData("amq.topic", ExchangeTypes.Topic)]
    [InlineData("amq.headers", ExchangeTypes.Headers)]
    [InlineData("amq.match", ExchangeTypes.Headers)]
    [InlineData("", ExchangeTypes.Direct)]
    public void A_new_virtual_host_has_the_predeclared_durable_exchanges(string name, string type)
    {
        var vhost = NewVirtualHost();

        Assert.True(vhost.TryGetExchange(name, out var exchange));
        Assert.Equal(type, exchange.Type);
        Assert.True(exchange.Settings.Durable);
        Assert.False(exchange.Settings.AutoDelete);
        Assert.Equal(6, vhost.Exchanges.Count);
    }

    [Fact]
    public void A_new_broker_has_the_default_virtual_host_and_the_guest_user()
    {
        var broker = new Broker();

        Assert.True(broker.TryGetVirtualHost("/", out var vhost));
        Assert.Equal("/", vhost.Name);
        Assert.NotNull(broker.Users.Authenticate("guest", "guest", fromLoopback: true));
        Assert.True(broker.Users.CanAccess("guest", "/"));
        Assert.Same(vhost, broker.AddVirtualHost("/"));
    }

    [Fact]
    public void Redeclaring_an_exchange_with_the_same_properties_returns_the_existing_exchange()
    {
        var vhost = NewVirtualHost();
        var first = vhost.DeclareExchange("orders", ExchangeTypes.Topic);

        var second = vhost.DeclareExchange("orders", ExchangeTypes.Topic);

        Assert.Same(first, second);
    }

    [Fact]
    public void Redeclaring_a_predeclared_exchange_with_its_own_properties_is_allowed()
    {
        var vhost = NewVirtualHost();

        var exchange = vhost.DeclareExchange("amq.direct", ExchangeTypes.Direct, ExchangeSettings.DurableDefault, passive: false);

        Assert.Same(vhost.GetExchange("amq.direct"), exchange);
    }

    [Fact]
    public void Redeclaring_an_exchange_with_another_type_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct);

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareExchange("orders", ExchangeTypes.Fanout));

        Assert.Equal("inequivalent arg 'type' for exchange 'orders' in vhost 'test': received 'fanout' but current is 'direct'", e.Message);
        Assert.False(e.IsHardError);
    }

    [Fact]
    public void Redeclaring_an_exchange_with_another_durability_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct, new ExchangeSettings(true, false, false, null));

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareExchange("orders", ExchangeTypes.Direct));

        Assert.Equal("inequivalent arg 'durable' for exchange 'orders' in vhost 'test': received 'false' but current is 'true'", e.Message);
    }

    [Fact]
    public void Redeclaring_an_exchange_with_another_auto_delete_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct);

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareExchange("orders", ExchangeTypes.Direct, new ExchangeSettings(false, true, false, null)));

        Assert.Equal("inequivalent arg 'auto_delete' for exchange 'orders' in vhost 'test': received 'true' but current is 'false'", e.Message);
    }

    [Fact]
    public void Redeclaring_an_exchange_with_another_alternate_exchange_fails_naming_both_values()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct, PlainExchange with { Arguments = new Dictionary<string, object?> { ["alternate-exchange"] = "ae1" } });

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareExchange("orders", ExchangeTypes.Direct,
            PlainExchange with { Arguments = new Dictionary<string, object?> { ["alternate-exchange"] = "ae2" } }));

        Assert.Equal("inequivalent arg 'alternate-exchange' for exchange 'orders' in vhost 'test': received 'ae2' but current is 'ae1'", e.Message);
    }

    [Fact]
    public void Redeclaring_an_exchange_without_its_alternate_exchange_fails_naming_the_type_of_the_current_value()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct, PlainExchange with { Arguments = new Dictionary<string, object?> { ["alternate-exchange"] = "ae1" } });

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareExchange("orders", ExchangeTypes.Direct));

        Assert.Equal("inequivalent arg 'alternate-exchange' for exchange 'orders' in vhost 'test': received none but current is the value 'ae1' of type 'longstr'", e.Message);
    }

    [Fact]
    public void Redeclaring_an_exchange_with_unknown_arguments_that_differ_is_allowed()
    {
        var vhost = NewVirtualHost();
        var first = vhost.DeclareExchange("orders", ExchangeTypes.Direct, PlainExchange with { Arguments = new Dictionary<string, object?> { ["x-custom"] = 1 } });

        var second = vhost.DeclareExchange("orders", ExchangeTypes.Direct, PlainExchange with { Arguments = new Dictionary<string, object?> { ["x-custom"] = 2 } });

        Assert.Same(first, second);
    }

    [Fact]
    public void Declaring_an_exchange_with_the_reserved_amq_prefix_is_refused()
    {
        var vhost = NewVirtualHost();

        var e = Refused(BrokerError.AccessRefused, () => vhost.DeclareExchange("amq.custom", ExchangeTypes.Direct));

        Assert.Equal("exchange name 'amq.custom' contains reserved prefix 'amq.*'", e.Message);
        Assert.False(vhost.TryGetExchange("amq.custom", out _));
    }

    [Fact]
    public void Declaring_the_default_exchange_is_refused_even_passively()
    {
        var vhost = NewVirtualHost();

        Refused(BrokerError.AccessRefused, () => vhost.DeclareExchange("", ExchangeTypes.Direct));
        var e = Refused(BrokerError.AccessRefused, () => vhost.DeclareExchange("", ExchangeTypes.Direct, PlainExchange, passive: true));

        Assert.Equal("operation not permitted on the default exchange", e.Message);
    }

    [Fact]
    public void Declaring_an_exchange_of_an_unknown_type_is_a_hard_command_invalid_error()
    {
        var vhost = NewVirtualHost();

        var e = Refused(BrokerError.CommandInvalid, () => vhost.DeclareExchange("odd", "x-nope"));

        Assert.Equal("unknown exchange type 'x-nope'", e.Message);
        Assert.True(e.IsHardError);
        Assert.False(vhost.TryGetExchange("odd", out _));
    }

    [Fact]
    public void A_passive_declare_finds_an_existing_exchange_and_fails_with_not_found_for_a_missing_one()
    {
        var vhost = NewVirtualHost();
        var existing = vhost.DeclareExchange("orders", ExchangeTypes.Topic);

        Assert.Same(existing, vhost.DeclareExchange("orders", "ignored-when-passive", PlainExchange, passive: true));
        var e = Refused(BrokerError.NotFound, () => vhost.DeclareExchange("missing", ExchangeTypes.Topic, PlainExchange, passive: true));
        Assert.Equal("no exchange 'missing' in vhost 'test'", e.Message);
    }

    [Fact]
    public void Deleting_an_exchange_in_use_with_if_unused_fails_and_keeps_it()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct);
        vhost.DeclareQueue("q");
        vhost.Bind("q", "orders", "k");

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeleteExchange("orders", ifUnused: true));

        Assert.Equal("exchange 'orders' in vhost 'test' in use", e.Message);
        Assert.True(vhost.TryGetExchange("orders", out _));
    }

    [Fact]
    public void Deleting_an_exchange_removes_its_bindings_from_the_queues()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareExchange("orders", ExchangeTypes.Direct);
        vhost.DeclareQueue("q");
        vhost.Bind("q", "orders", "k");

        vhost.DeleteExchange("orders", ifUnused: false);
        vhost.DeleteExchange("orders", ifUnused: false); // a missing exchange is not an error

        Assert.False(vhost.TryGetExchange("orders", out _));
        vhost.DeclareExchange("orders", ExchangeTypes.Direct);
        Assert.Equal(0, vhost.Publish("orders", Message("m", "k")).QueueCount);
    }

    [Fact]
    public void Deleting_a_predeclared_exchange_is_refused()
    {
        var vhost = NewVirtualHost();

        Refused(BrokerError.AccessRefused, () => vhost.DeleteExchange("amq.direct", ifUnused: false));

        Assert.True(vhost.TryGetExchange("amq.direct", out _));
    }
}

public sealed class QueueDeclarationTests
{
    [Fact]
    public void Declaring_a_queue_without_a_name_gives_it_a_server_generated_amq_gen_name()
    {
        var vhost = NewVirtualHost();

        var first = vhost.DeclareQueue("");
        var second = vhost.DeclareQueue("");

        Assert.StartsWith("amq.gen-", first.Name);
        Assert.True(first.Name.Length > "amq.gen-".Length + 16);
        Assert.NotEqual(first.Name, second.Name);
        Assert.Same(first, vhost.GetQueue(first.Name, connection: null));
    }

    [Fact]
    public void Declaring_a_queue_with_the_reserved_amq_prefix_is_refused()
    {
        var vhost = NewVirtualHost();

        var e = Refused(BrokerError.AccessRefused, () => vhost.DeclareQueue("amq.mine"));

        Assert.Equal("queue name 'amq.mine' contains reserved prefix 'amq.*'", e.Message);
    }

    [Fact]
    public void Redeclaring_a_queue_with_the_same_properties_reports_its_message_and_consumer_counts()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.Publish("", Message("a", "q"));
        vhost.Publish("", Message("b", "q"));
        queue.AddConsumer(new RecordingConsumer("c") { Accepting = false });

        var declared = vhost.DeclareQueue("q", Plain, passive: false, connection: null);

        Assert.Same(queue, declared.Queue);
        Assert.Equal(2, declared.MessageCount);
        Assert.Equal(1, declared.ConsumerCount);
    }

    [Fact]
    public void Redeclaring_a_queue_with_another_durability_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareQueue("q", Plain with { Durable = true }));

        Assert.Equal("inequivalent arg 'durable' for queue 'q' in vhost 'test': received 'true' but current is 'false'", e.Message);
    }

    [Fact]
    public void Redeclaring_a_queue_with_another_auto_delete_fails_with_precondition_failed()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareQueue("q", Plain with { AutoDelete = true }));

        Assert.Equal("inequivalent arg 'auto_delete' for queue 'q' in vhost 'test': received 'true' but current is 'false'", e.Message);
    }

    [Fact]
    public void Redeclaring_a_queue_with_another_message_ttl_fails_naming_both_values()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q", Plain with { Arguments = new Dictionary<string, object?> { ["x-message-ttl"] = 1000 } });

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareQueue("q", Plain with { Arguments = new Dictionary<string, object?> { ["x-message-ttl"] = 2000 } }));

        Assert.Equal("inequivalent arg 'x-message-ttl' for queue 'q' in vhost 'test': received '2000' but current is '1000'", e.Message);
    }

    [Fact]
    public void Redeclaring_a_queue_with_the_same_number_in_another_integer_width_is_allowed()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q", Plain with { Arguments = new Dictionary<string, object?> { ["x-max-length"] = 10 } });

        var again = vhost.DeclareQueue("q", Plain with { Arguments = new Dictionary<string, object?> { ["x-max-length"] = 10L } });

        Assert.Same(queue, again);
    }

    [Fact]
    public void Redeclaring_a_queue_adding_a_known_argument_fails_naming_its_type()
    {
        var vhost = NewVirtualHost();
        vhost.DeclareQueue("q");

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeclareQueue("q", Plain with { Arguments = new Dictionary<string, object?> { ["x-max-length"] = 10 } }));

        Assert.Equal("inequivalent arg 'x-max-length' for queue 'q' in vhost 'test': received the value '10' of type 'signedint' but current is none", e.Message);
    }

    [Fact]
    public void An_exclusive_queue_belongs_to_the_connection_that_declared_it()
    {
        var vhost = NewVirtualHost();
        object owner = new(), other = new();
        var queue = vhost.DeclareQueue("mine", Plain with { Exclusive = true }, owner);

        Assert.Same(owner, queue.Owner);
        Assert.Same(queue, vhost.DeclareQueue("mine", Plain with { Exclusive = true }, owner));
        Assert.Same(queue, vhost.GetQueue("mine", owner));

        var e = Refused(BrokerError.ResourceLocked, () => vhost.DeclareQueue("mine", Plain with { Exclusive = true }, other));
        Assert.Equal("cannot obtain exclusive access to locked queue 'mine' in vhost 'test'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.", e.Message);
        Refused(BrokerError.ResourceLocked, () => vhost.DeclareQueue("mine", Plain with { Exclusive = true }, passive: true, other));
        Refused(BrokerError.ResourceLocked, () => vhost.BindQueue("mine", "amq.direct", "k", null, other));
        Refused(BrokerError.ResourceLocked, () => vhost.PurgeQueue("mine", other));
        Refused(BrokerError.ResourceLocked, () => vhost.DeleteQueue("mine", false, false, other));
        Assert.Same(queue, vhost.GetQueue("mine", owner));
    }

    [Fact]
    public void A_non_exclusive_queue_has_no_owner_and_any_connection_may_use_it()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("shared", Plain, new object());

        Assert.Null(queue.Owner);
        Assert.Same(queue, vhost.GetQueue("shared", new object()));
    }

    [Fact]
    public void A_passive_declare_reports_counts_of_an_existing_queue_and_not_found_for_a_missing_one()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.Publish("", Message("a", "q"));

        var found = vhost.DeclareQueue("q", Plain with { Durable = true }, passive: true, connection: null);

        Assert.Same(queue, found.Queue);
        Assert.Equal(1, found.MessageCount);
        var e = Refused(BrokerError.NotFound, () => vhost.DeclareQueue("missing", Plain, passive: true, connection: null));
        Assert.Equal("no queue 'missing' in vhost 'test'", e.Message);
    }

    [Fact]
    public void Deleting_a_queue_with_consumers_and_if_unused_fails_and_keeps_it()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        queue.AddConsumer(new RecordingConsumer("c"));

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeleteQueue("q", ifUnused: true, ifEmpty: false, connection: null));

        Assert.Equal("queue 'q' in vhost 'test' in use", e.Message);
        Assert.False(queue.IsDeleted);
    }

    [Fact]
    public void Deleting_a_queue_with_messages_and_if_empty_fails_and_keeps_it()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.Publish("", Message("a", "q"));

        var e = Refused(BrokerError.PreconditionFailed, () => vhost.DeleteQueue("q", ifUnused: false, ifEmpty: true, connection: null));

        Assert.Equal("queue 'q' in vhost 'test' not empty", e.Message);
        Assert.Equal(1, queue.MessageCount);
    }

    [Fact]
    public void Deleting_a_queue_returns_the_number_of_ready_messages_and_a_missing_queue_is_not_an_error()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        for (var i = 0; i < 3; i++) vhost.Publish("", Message($"m{i}", "q"));

        Assert.Equal(3, vhost.DeleteQueue("q", ifUnused: true, ifEmpty: false, connection: null));
        Assert.Equal(0, vhost.DeleteQueue("q", ifUnused: false, ifEmpty: false, connection: null));
        Assert.True(queue.IsDeleted);
        Refused(BrokerError.NotFound, () => vhost.GetQueue("q", null));
    }

    [Fact]
    public void Purging_a_queue_drops_its_ready_messages_and_returns_how_many()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        for (var i = 0; i < 5; i++) vhost.Publish("", Message($"m{i}", "q"));

        Assert.Equal(5, vhost.PurgeQueue("q", connection: null));
        Assert.Equal(0, queue.MessageCount);
        Assert.Equal(0, vhost.PurgeQueue("q", connection: null));
        vhost.Publish("", Message("after", "q"));
        Assert.Equal(["after"], queue.Drain());
    }

    [Fact]
    public void Purging_a_missing_queue_fails_with_not_found()
    {
        var vhost = NewVirtualHost();

        Refused(BrokerError.NotFound, () => vhost.PurgeQueue("missing", null));
    }
}
