using System.Diagnostics;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Topology;
using Xunit;

namespace Warren.Messaging.Tests;

public sealed record OrderPlacedV2;

public sealed record HTTPRequestSeen;

public sealed class LibraryTests
{
    [Theory]
    [InlineData(typeof(OrderPlacedV2), "order-placed-v2")]
    [InlineData(typeof(HTTPRequestSeen), "http-request-seen")]
    [InlineData(typeof(OrderPlaced), "test.orders.placed")]
    public void Message_names_come_from_the_attribute_or_else_kebab_case(Type type, string expected) =>
        Assert.Equal(expected, MessageNames.Of(type));

    [Theory]
    [InlineData("orders.*", "orders.placed", true)]
    [InlineData("orders.*", "orders.placed.eu", false)]
    [InlineData("orders.#", "orders.placed.eu", true)]
    [InlineData("orders.#", "orders", true)]
    [InlineData("#.eu", "orders.placed.eu", true)]
    [InlineData("*.placed", "orders.cancelled", false)]
    public void Topic_patterns_match_as_amqp_topic_exchanges_do(string pattern, string key, bool matches) =>
        Assert.Equal(matches, TopicPatterns.Matches(pattern, key));

    [Fact]
    public async Task The_handle_span_is_a_child_of_the_publish_span_through_the_traceparent_header()
    {
        var name = "trace-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == WarrenTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) spans.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var service = await TestService.StartAsync(new InProcessUnderTest(), name, o => o.AddHandler<OrderPlacedHandler>());
        var order = new OrderPlaced(name, 1);

        ActivityTraceId trace;
        using (var root = new Activity("root").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            trace = root.TraceId;
            await service.Bus.PublishAsync(order);
        }
        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, TimeSpan.FromSeconds(10));
        // The handle span stops after the handler has been recorded as done: wait for it too.
        await Waits.Eventually(() =>
        {
            lock (spans) return spans.Any(s => s.TraceId == trace && s.DisplayName == "test.orders.placed handle");
        });

        Activity publish, handle;
        lock (spans)
        {
            // Other tests publish the same event in parallel: keep this test's trace only.
            var mine = spans.Where(s => s.TraceId == trace).ToList();
            publish = mine.Single(s => s.DisplayName == "test.orders.placed publish");
            handle = mine.Single(s => s.ParentSpanId == publish.SpanId);
        }
        Assert.Equal("test.orders.placed handle", handle.DisplayName);
        Assert.Equal(publish.TraceId, handle.TraceId);
        Assert.Equal(ActivityKind.Consumer, handle.Kind);
    }

    [Fact]
    public async Task The_in_process_transport_never_has_more_unacknowledged_messages_than_the_prefetch()
    {
        var name = "prefetch-" + Guid.NewGuid().ToString("N")[..8];
        var broker = new Warren.Broker.Broker();
        var transport = new InProcessUnderTest();
        await using var service = await TestService.StartAsync(transport, name, o =>
        {
            o.UseInProcess(broker);
            o.AddHandler<DrainHandler>();
            o.ConfigureEndpoint("test.drain", prefetch: 2, concurrency: 8);
        });
        var ids = Enumerable.Range(0, 6).Select(i => $"{name}-{i}").ToArray();
        foreach (var id in ids) await service.Bus.SendAsync(new DrainCommand(id));
        await Switches.Gate(ids[0] + ".started").Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Switches.Gate(ids[1] + ".started").Task.WaitAsync(TimeSpan.FromSeconds(10));

        broker.TryGetVirtualHost("/", out var vhost);
        var queue = vhost.Queues.Single(q => q.Name == "test.drain");
        Assert.Equal(2, queue.UnackedCount);
        Assert.Equal(4, queue.MessageCount);

        foreach (var id in ids) Switches.Gate(id).TrySetResult();
        foreach (var id in ids) await service.Recorder.WaitForHandledAsync<DrainCommand>(c => c.Id == id, TimeSpan.FromSeconds(10));
        // "Handled" is recorded when the handler returns; the ack follows it.
        await Waits.Eventually(() => queue.UnackedCount == 0 && queue.MessageCount == 0);
    }

    [Fact]
    public void The_topology_plan_of_a_service_follows_the_conventions()
    {
        var options = new Configuration.WarrenOptions { ServiceName = "billing", InstanceId = "i1" }
            .AddHandler<OrderPlacedHandler>().AddHandler<ShipOrderHandler>().AddHandler<StockHandler>();

        var plan = TopologyConventions.PlanFor(options);

        Assert.Equal(["billing", "test.ship-order", "billing.error", "billing.reply.i1"], plan.Queues.Select(q => q.Name));
        Assert.Contains(new BindingPlan("warren.events", "billing", "test.orders.placed"), plan.Bindings);
        Assert.Contains(new BindingPlan("warren.requests", "billing", "test.check-stock"), plan.Bindings);
        var reply = plan.Queues.Single(q => q.Name == "billing.reply.i1");
        Assert.True(reply.Exclusive && reply.AutoDelete && !reply.Durable);
    }
}
