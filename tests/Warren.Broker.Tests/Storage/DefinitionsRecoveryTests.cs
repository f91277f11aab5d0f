using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Xunit;
using static Warren.Broker.Tests.Storage.StorageTestModel;

namespace Warren.Broker.Tests.Storage;

public sealed class DefinitionsRecoveryTests
{
    private static readonly ExchangeSettings DurableExchange = new(Durable: true, AutoDelete: false, Internal: false, Arguments: null);
    private static readonly ExchangeSettings TransientExchange = new(Durable: false, AutoDelete: false, Internal: false, Arguments: null);

    [Fact]
    public void Users_and_their_virtual_host_permissions_survive_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            broker.AddVirtualHost("shop");
            broker.Users.PutUser("alice", "s3cret", ["monitoring"]);
            broker.Users.SetPermission(new Warren.Broker.Security.Permission("alice", "shop", "^a", ".*", ""));
        }

        using (var broker = data.Open())
        {
            Assert.NotNull(broker.Users.Authenticate("alice", "s3cret", fromLoopback: false));
            Assert.Null(broker.Users.Authenticate("alice", "wrong", fromLoopback: false));
            Assert.True(broker.Users.CanAccess("alice", "shop"));
            Assert.False(broker.Users.CanAccess("alice", "/"));
            Assert.Equal(new Warren.Broker.Security.Permission("alice", "shop", "^a", ".*", ""), broker.Users.GetPermission("alice", "shop"));
            Assert.True(broker.Users.TryGetUser("alice", out var alice));
            Assert.Equal(["monitoring"], alice.Tags);
        }
    }

    [Fact]
    public void Virtual_hosts_and_their_durable_queues_survive_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            broker.AddVirtualHost("shop").Declare("orders", DurableQueue);
        }

        using (var broker = data.Open())
        {
            Assert.True(broker.TryGetVirtualHost("shop", out var shop));
            Assert.True(shop.GetQueue("orders", connection: null).Settings.Durable);
        }
    }

    [Fact]
    public void Durable_exchanges_queues_and_bindings_survive_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.DeclareExchange("orders", ExchangeTypes.Topic, DurableExchange, passive: false);
            vhost.DeclareExchange("audit", ExchangeTypes.Fanout, DurableExchange, passive: false);
            vhost.Declare("billing", DurableQueue);
            vhost.BindQueue("billing", "orders", "orders.*", null, connection: null);
            vhost.BindExchange("audit", "orders", "#", null);
        }

        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            Assert.True(vhost.TryGetExchange("orders", out var orders));
            Assert.Equal(ExchangeTypes.Topic, orders.Type);
            Assert.True(orders.Settings.Durable);
            Assert.True(vhost.TryGetExchange("audit", out var audit));
            Assert.Equal(ExchangeTypes.Fanout, audit.Type);
            var billing = vhost.GetQueue("billing", connection: null);
            Assert.True(billing.Settings.Durable);
            Assert.Contains(orders.Bindings, b => b.Destination == billing && b.RoutingKey == "orders.*");
            Assert.Contains(orders.Bindings, b => b.Destination == audit && b.RoutingKey == "#");

            // The recovered bindings route.
            vhost.Publish("orders", Persistent("placed", "orders.placed"));
            Assert.Equal(1, billing.MessageCount);
        }
    }

    [Fact]
    public void Transient_and_exclusive_definitions_do_not_survive_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.DeclareExchange("durable-x", ExchangeTypes.Direct, DurableExchange, passive: false);
            vhost.DeclareExchange("transient-x", ExchangeTypes.Direct, TransientExchange, passive: false);
            vhost.Declare("durable-q", DurableQueue);
            vhost.Declare("transient-q", TransientQueue);
            vhost.Declare("exclusive-q", new QueueSettings(Durable: true, Exclusive: true, AutoDelete: false, null), connection: new object());
            // Bindings with a transient end are transient.
            vhost.BindQueue("transient-q", "durable-x", "k", null, connection: null);
            vhost.BindQueue("durable-q", "transient-x", "k", null, connection: null);
        }

        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            Assert.True(vhost.TryGetExchange("durable-x", out var durable));
            Assert.False(vhost.TryGetExchange("transient-x", out _));
            Assert.Empty(durable.Bindings);
            Assert.Equal(["durable-q"], vhost.Queues.Select(q => q.Name));
            Assert.Empty(vhost.GetQueue("durable-q", connection: null).IncomingBindings);
        }
    }

    [Fact]
    public void Deleted_definitions_stay_deleted_after_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.DeclareExchange("gone-x", ExchangeTypes.Direct, DurableExchange, passive: false);
            vhost.DeclareExchange("kept-x", ExchangeTypes.Direct, DurableExchange, passive: false);
            vhost.Declare("gone-q", DurableQueue);
            vhost.Declare("kept-q", DurableQueue);
            vhost.BindQueue("kept-q", "kept-x", "unbound", null, connection: null);
            vhost.BindQueue("kept-q", "kept-x", "bound", null, connection: null);
            vhost.Publish("", Persistent("lost with its queue", "gone-q"));
            vhost.DeleteExchange("gone-x", ifUnused: false);
            vhost.DeleteQueue("gone-q", ifUnused: false, ifEmpty: false, connection: null);
            vhost.UnbindQueue("kept-q", "kept-x", "unbound", null, connection: null);
        }

        // Twice: the first start also rewrites the log compacted.
        for (var restart = 0; restart < 2; restart++)
        {
            using var broker = data.Open();
            var vhost = broker.Root();
            Assert.False(vhost.TryGetExchange("gone-x", out _));
            Assert.True(vhost.TryGetExchange("kept-x", out var kept));
            Assert.Equal(["kept-q"], vhost.Queues.Select(q => q.Name));
            Assert.Equal(["bound"], kept.Bindings.Select(b => b.RoutingKey));
        }
    }

    [Fact]
    public void A_queue_deleted_and_declared_again_comes_back_empty()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.Declare("q", DurableQueue);
            vhost.Publish("", Persistent("old"));
            vhost.DeleteQueue("q", ifUnused: false, ifEmpty: false, connection: null);
            vhost.Declare("q", DurableQueue);
            vhost.Publish("", Persistent("new"));
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["new"], broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    [Fact]
    public void Auto_delete_internal_flags_and_typed_arguments_come_back()
    {
        using var data = new TempDataDirectory();
        var queueArguments = new Dictionary<string, object?>
        {
            ["x-max-length"] = 10,
            ["x-message-ttl"] = 60000L,
            ["x-dead-letter-exchange"] = "dlx",
            ["x-custom-flag"] = true,
        };
        var exchangeArguments = new Dictionary<string, object?> { ["alternate-exchange"] = "ae", ["x-width"] = (short)3 };
        var bindingArguments = new Dictionary<string, object?> { ["x-match"] = "all", ["level"] = 7L, ["count"] = 7 };
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.DeclareExchange("auto-x", ExchangeTypes.Headers, new ExchangeSettings(Durable: true, AutoDelete: true, Internal: false, exchangeArguments), passive: false);
            vhost.DeclareExchange("internal-x", ExchangeTypes.Direct, new ExchangeSettings(Durable: true, AutoDelete: false, Internal: true, null), passive: false);
            vhost.Declare("auto-q", new QueueSettings(Durable: true, Exclusive: false, AutoDelete: true, queueArguments));
            vhost.BindQueue("auto-q", "auto-x", "", bindingArguments, connection: null);
        }

        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            Assert.True(vhost.TryGetExchange("auto-x", out var auto));
            Assert.True(auto.Settings.AutoDelete);
            Assert.False(auto.Settings.Internal);
            AssertTypedEqual(exchangeArguments, auto.Settings.Arguments);
            Assert.True(vhost.TryGetExchange("internal-x", out var @internal));
            Assert.True(@internal.Settings.Internal);
            Assert.False(@internal.Settings.AutoDelete);
            var queue = vhost.GetQueue("auto-q", connection: null);
            Assert.True(queue.Settings.AutoDelete);
            AssertTypedEqual(queueArguments, queue.Settings.Arguments);
            var binding = Assert.Single(auto.Bindings);
            AssertTypedEqual(bindingArguments, binding.Arguments);
        }
    }

    [Fact]
    public void A_torn_tail_of_the_definitions_log_is_dropped_and_everything_before_it_recovered()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.Declare("first", DurableQueue);
            vhost.Declare("second", DurableQueue);
        }
        // The last record half written, as a crash in the middle of an append leaves it.
        var lengthBefore = new FileInfo(data.DefinitionsPath).Length;
        using (var broker = data.Open()) broker.Root().Declare("third", DurableQueue);
        var lengthAfter = new FileInfo(data.DefinitionsPath).Length;
        Assert.True(lengthAfter > lengthBefore);
        using (var file = File.OpenHandle(data.DefinitionsPath, FileMode.Open, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(file, lengthBefore + (lengthAfter - lengthBefore) / 2);
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["first", "second"], broker.Root().Queues.Select(q => q.Name).Order());
            // New definitions follow the valid ones, and survive the next start.
            broker.Root().Declare("fourth", DurableQueue);
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["first", "fourth", "second"], broker.Root().Queues.Select(q => q.Name).Order());
        }
    }

    [Fact]
    public void A_bit_flip_in_the_last_definitions_record_drops_only_that_record()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            broker.Root().Declare("first", DurableQueue);
        }
        var lengthBefore = new FileInfo(data.DefinitionsPath).Length;
        using (var broker = data.Open()) broker.Root().Declare("second", DurableQueue);
        var bytes = File.ReadAllBytes(data.DefinitionsPath);
        bytes[^3] ^= 0x10;
        File.WriteAllBytes(data.DefinitionsPath, bytes);

        using (var broker = data.Open())
        {
            Assert.Equal(["first"], broker.Root().Queues.Select(q => q.Name));
        }
        Assert.Equal(lengthBefore, new FileInfo(data.DefinitionsPath).Length);
    }

    private static void AssertTypedEqual(IReadOnlyDictionary<string, object?> expected, IReadOnlyDictionary<string, object?>? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value?.GetType(), actual[key]?.GetType());
            Assert.Equal(value, actual[key]);
        }
    }
}
