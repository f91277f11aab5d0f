using System.Diagnostics;
using Warren.Messaging.Transports;
using Xunit;
using static Warren.Messaging.Tests.Waits;

namespace Warren.Messaging.Tests;

// Per-instance handlers (every instance gets a copy), gather from every instance, and system prefixes.
public abstract partial class MessagingContract<TTransport>
{
    [Fact]
    public async Task An_instance_handler_gets_each_event_on_every_instance_of_the_service()
    {
        var name = Unique("catalog");
        var instances = new List<TestService>();
        for (var i = 0; i < 3; i++) instances.Add(await StartAsync(name, o => o.AddInstanceHandler<CacheInvalidatedHandler>().AddHandler<OrderPlacedHandler>()));
        var key = Unique("key");
        var order = new OrderPlaced(Unique("order"), 1);

        await instances[0].Bus.PublishAsync(new CacheInvalidated(key));
        await instances[0].Bus.PublishAsync(order);

        foreach (var instance in instances) await instance.Recorder.WaitForHandledAsync<CacheInvalidated>(c => c.Key == key, Wait);
        await Task.WhenAny(instances.Select(i => i.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait)));
        foreach (var instance in instances) Assert.Single(instance.Recorder.Handled, r => r.Message is CacheInvalidated c && c.Key == key);
        // The shared handler still gets one copy per service.
        await Eventually(() => instances.Sum(i => i.Recorder.Handled.Count(r => r.Message is OrderPlaced)) == 1);
    }

    [Fact]
    public async Task Gather_hears_from_every_instance_when_the_handler_is_per_instance()
    {
        var name = Unique("pricing");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await StartAsync(name, o => o.AddInstanceHandler<InstanceQuoteHandler>())).Bus.InstanceId);
        var shop = await StartAsync(Unique("shop"), _ => { });
        var clock = Stopwatch.StartNew();

        var quotes = new List<InstanceQuote>();
        await foreach (var quote in shop.Bus.GatherAsync<InstanceQuote>(new GetInstanceQuote("lamp"), maxResponses: 3, timeout: TimeSpan.FromSeconds(60))) quotes.Add(quote);

        Assert.Equal(ids.Order(), quotes.Select(q => q.Instance).Order());
        Assert.All(quotes, q => Assert.Equal(name, q.Service));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}: it waited for the timeout");
    }

    [Fact]
    public async Task An_instance_queue_goes_away_with_its_instance()
    {
        var name = Unique("catalog");
        var instance = await StartAsync(name, o => o.AddInstanceHandler<CacheInvalidatedHandler>());
        var observer = await StartAsync(Unique("observer"), _ => { });
        var queue = instance.Bus.InstanceQueue;
        Assert.Contains(instance.Bus.Topology.Queues, q => q.Name == queue && q.Exclusive && q.AutoDelete);

        await instance.DisposeAsync();

        await Eventually(async () =>
        {
            try
            {
                await (await observer.Bus.Transport.BrowseAsync(queue, CancellationToken.None)).DisposeAsync();
                return false;
            }
            catch (QueueNotFoundException)
            {
                return true;
            }
        });
    }

    [Fact]
    public async Task A_system_prefix_names_every_exchange_and_queue_and_every_pattern_works_under_it()
    {
        var prefix = Unique("shop");
        var billing = await StartAsync(Unique("billing"), o =>
        {
            o.SystemPrefix = prefix;
            o.AddHandler<OrderPlacedHandler>().AddHandler<ShipOrderHandler>().AddHandler<StockHandler>().AddHandler<PoisonHandler>();
            o.Retries.Immediate = 0;
        });
        var front = await StartAsync(Unique("front"), o => o.SystemPrefix = prefix);
        var (order, ship, poison) = (new OrderPlaced(Unique("order"), 3), Unique("ship"), Unique("poison"));

        Assert.All(billing.Bus.Topology.Exchanges, e => Assert.StartsWith(prefix + ".", e.Name));
        Assert.All(billing.Bus.Topology.Queues, q => Assert.StartsWith(prefix + ".", q.Name));
        Assert.Contains(billing.Bus.Topology.Queues, q => q.Name == $"{prefix}.test.ship-order");
        await front.Bus.PublishAsync(order);
        await front.Bus.SendAsync(new ShipOrder(ship));
        var level = await front.Bus.RequestAsync(new CheckStock("plum"), Wait);
        await front.Bus.SendAsync(new PoisonCommand(poison));

        await billing.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait);
        await billing.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == ship, Wait);
        Assert.Equal(4, level.Quantity);
        await Eventually(async () => (await billing.Bus.PeekErrorsAsync()).Count == 1);
        Assert.Equal($"{prefix}.test.always-fails", Assert.Single(await billing.Bus.PeekErrorsAsync()).Queue);
    }

    [Fact]
    public async Task Two_systems_on_one_broker_send_the_same_command_without_colliding()
    {
        var (first, second) = (Unique("alpha"), Unique("beta"));
        var alpha = await StartAsync(Unique("shipping"), o => { o.SystemPrefix = first; o.AddHandler<ShipOrderHandler>(); });
        var beta = await StartAsync(Unique("shipping"), o => { o.SystemPrefix = second; o.AddHandler<ShipOrderHandler>(); });
        var (forAlpha, forBeta) = (Unique("a"), Unique("b"));

        await alpha.Bus.SendAsync(new ShipOrder(forAlpha));
        await beta.Bus.SendAsync(new ShipOrder(forBeta));

        await alpha.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == forAlpha, Wait);
        await beta.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == forBeta, Wait);
        Assert.Equal([forAlpha], alpha.Recorder.Handled.Select(r => ((ShipOrder)r.Message).OrderId));
        Assert.Equal([forBeta], beta.Recorder.Handled.Select(r => ((ShipOrder)r.Message).OrderId));
        Assert.Contains(alpha.Bus.Topology.Queues, q => q.Name == $"{first}.test.ship-order");
        Assert.Contains(beta.Bus.Topology.Queues, q => q.Name == $"{second}.test.ship-order");
    }
}
