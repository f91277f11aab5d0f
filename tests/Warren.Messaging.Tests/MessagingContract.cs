using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Warren.Messaging.Configuration;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Topology;
using Warren.Messaging.Transports;
using Xunit;
using static Warren.Messaging.Tests.Waits;

namespace Warren.Messaging.Tests;

public sealed class InProcessContract(InProcessUnderTest transport) : MessagingContract<InProcessUnderTest>(transport);

public sealed class AmqpWarrenServerContract(WarrenServerUnderTest transport) : MessagingContract<WarrenServerUnderTest>(transport);

public sealed class AmqpWarrenServerQuorumContract(WarrenServerQuorumUnderTest transport) : MessagingContract<WarrenServerQuorumUnderTest>(transport);

// One RabbitMQ, the same queue names (command queues are named after the command): the classic
// and quorum runs must not overlap, or each sees the other's queues with another x-queue-type.
[Collection(TestCollections.SharedRabbitMq)]
public sealed class AmqpRabbitMqContract(RabbitMqUnderTest transport) : MessagingContract<RabbitMqUnderTest>(transport);

[Collection(TestCollections.SharedRabbitMq)]
public sealed class AmqpRabbitMqQuorumContract(RabbitMqQuorumUnderTest transport) : MessagingContract<RabbitMqQuorumUnderTest>(transport);

/// <summary>
/// The patterns, proven the same way on every transport. A new transport is a one-line subclass.
/// Every test uses service names with a unique suffix, and waits on signals, never on sleeps.
/// </summary>
internal static class TestCollections
{
    public const string SharedRabbitMq = "shared RabbitMQ";
}

public abstract partial class MessagingContract<TTransport> : IClassFixture<TTransport>, IAsyncLifetime where TTransport : TransportUnderTest
{
    private static readonly TimeSpan Wait = Waits.Timeout;
    private readonly List<TestService> _services = new();
    private readonly List<string> _leftovers = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    protected MessagingContract(TTransport transport) => Transport = transport;

    protected TTransport Transport { get; }

    private string Unique(string name) => $"{name}-{_suffix}";

    private async Task<TestService> StartAsync(string serviceName, Action<WarrenOptions> configure, Action<IServiceCollection>? register = null)
    {
        if (Transport.SkipReason is { } reason) Assert.Skip(reason);
        var service = await TestService.StartAsync(Transport, serviceName, configure, register);
        lock (_services) _services.Add(service);
        return service;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        var queues = new HashSet<string>(_leftovers);
        var exchanges = new HashSet<string>();
        foreach (var service in _services)
        {
            foreach (var queue in service.Bus.Topology.Queues)
            {
                if (!queue.Exclusive) queues.Add(queue.Name);
            }
            // Only this test's own exchanges: the shared ones stay for everyone else on the broker.
            foreach (var exchange in service.Bus.Topology.Exchanges)
            {
                if (exchange.Name.Contains(_suffix, StringComparison.Ordinal)) exchanges.Add(exchange.Name);
            }
            await service.DisposeAsync();
        }
        await Transport.DeleteAsync(queues, exchanges);
    }

    [Fact]
    public async Task A_published_event_reaches_every_subscribing_service()
    {
        var billing = await StartAsync(Unique("billing"), o => o.AddHandler<OrderPlacedHandler>());
        var inventory = await StartAsync(Unique("inventory"), o => o.AddHandler<OrderPlacedHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });
        var order = new OrderPlaced(Unique("order"), 12.5m);

        await shop.Bus.PublishAsync(order);

        Assert.Equal(order, await billing.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait));
        Assert.Equal(order, await inventory.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait));
    }

    [Fact]
    public async Task Instances_of_one_service_share_its_queue_so_each_event_is_handled_once_per_service()
    {
        var name = Unique("billing");
        var first = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>());
        var second = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>());
        var ids = Enumerable.Range(0, 20).Select(i => Unique("order" + i)).ToArray();

        foreach (var id in ids) await first.Bus.PublishAsync(new OrderPlaced(id, 1));

        var handled = new List<string>();
        foreach (var id in ids)
        {
            var byFirst = first.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == id, Wait);
            var bySecond = second.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == id, Wait);
            handled.Add((await await Task.WhenAny(byFirst, bySecond)).OrderId);
        }
        Assert.Equal(ids, handled);
        var total = first.Recorder.Handled.Count + second.Recorder.Handled.Count;
        Assert.Equal(ids.Length, total);
    }

    [Fact]
    public async Task A_service_can_subscribe_by_topic_pattern()
    {
        var audit = await StartAsync(Unique("audit"), o => o.AddHandler<AnyOrderEventHandler>(topic: "test.orders.*"));
        var cancelled = new OrderCancelled(Unique("order"));

        await audit.Bus.PublishAsync(cancelled);

        Assert.Equal(cancelled, await audit.Recorder.WaitForHandledAsync<OrderCancelled>(o => o == cancelled, Wait));
        Assert.Contains(audit.Bus.Topology.Bindings, b => b.RoutingKey == "test.orders.*");
    }

    [Fact]
    public async Task A_command_is_handled_by_exactly_one_of_the_competing_instances()
    {
        var name = Unique("shipping");
        var first = await StartAsync(name, o => o.AddHandler<ShipOrderHandler>());
        var second = await StartAsync(name, o => o.AddHandler<ShipOrderHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });
        var ids = Enumerable.Range(0, 20).Select(i => Unique("ship" + i)).ToArray();

        foreach (var id in ids) await shop.Bus.SendAsync(new ShipOrder(id));

        foreach (var id in ids)
        {
            await await Task.WhenAny(
                first.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == id, Wait),
                second.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == id, Wait));
        }
        var all = first.Recorder.Handled.Concat(second.Recorder.Handled).Select(r => ((ShipOrder)r.Message).OrderId).Where(ids.Contains).ToList();
        Assert.Equal(ids.Length, all.Distinct().Count());
        Assert.Equal(ids.Length, all.Count);
    }

    [Fact]
    public async Task Sending_a_command_that_no_service_owns_fails_at_once()
    {
        var shop = await StartAsync(Unique("shop"), _ => { });

        var error = await Assert.ThrowsAsync<MessageUnroutableException>(() => shop.Bus.SendAsync(new UnownedCommand("x")));

        Assert.Contains("test.nobody-owns-this", error.Message);
    }

    [Fact]
    public async Task A_request_gets_its_response()
    {
        await StartAsync(Unique("stock"), o => o.AddHandler<StockHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });

        var level = await shop.Bus.RequestAsync(new CheckStock("apple"), Wait);

        Assert.Equal(new StockLevel("apple", 5, Unique("stock")), level);
    }

    [Fact]
    public async Task Each_reply_reaches_the_instance_that_asked_even_when_instances_share_a_queue()
    {
        await StartAsync(Unique("stock"), o => o.AddHandler<StockHandler>());
        var name = Unique("shop");
        var first = await StartAsync(name, _ => { });
        var second = await StartAsync(name, _ => { });

        var asks = Enumerable.Range(1, 10).SelectMany(i => new[]
        {
            first.Bus.RequestAsync(new CheckStock(new string('a', i)), Wait),
            second.Bus.RequestAsync(new CheckStock(new string('b', i)), Wait),
        }).ToArray();
        var answers = await Task.WhenAll(asks);

        for (var i = 0; i < answers.Length; i++) Assert.Equal(i / 2 + 1, answers[i].Quantity);
        Assert.Equal(0, first.Bus.UnexpectedReplies + second.Bus.UnexpectedReplies);
    }

    [Fact]
    public async Task A_request_with_no_responder_fails_fast_instead_of_waiting_for_the_timeout()
    {
        var shop = await StartAsync(Unique("shop"), _ => { });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MessageUnroutableException>(() => shop.Bus.RequestAsync<StockLevel>(new UnansweredRequest("x"), TimeSpan.FromSeconds(60)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("No service handles request 'test.nobody-answers-this'", error.Message);
        Assert.Equal(0, shop.Bus.PendingRequests);
    }

    [Fact]
    public async Task A_responders_exception_comes_back_as_a_typed_fault()
    {
        var name = Unique("stock");
        await StartAsync(name, o => o.AddHandler<FailingHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });

        var fault = await Assert.ThrowsAsync<RequestFaultedException>(() => shop.Bus.RequestAsync<StockLevel>(new FailingRequest("r1"), Wait));

        Assert.Equal(typeof(InvalidOperationException).FullName, fault.RemoteExceptionType);
        Assert.Equal("out of stock for r1", fault.RemoteMessage);
        Assert.Equal(name, fault.Responder);
    }

    [Fact]
    public async Task A_request_times_out_and_its_late_reply_is_counted_not_lost_silently()
    {
        await StartAsync(Unique("slow"), o => o.AddHandler<SlowHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });
        var id = Unique("slow");

        await Assert.ThrowsAsync<RequestTimeoutException>(() => shop.Bus.RequestAsync<StockLevel>(new SlowRequest(id), TimeSpan.FromMilliseconds(300)));
        Switches.Gate(id).TrySetResult();

        await Eventually(() => shop.Bus.UnexpectedReplies == 1);
        Assert.Equal(0, shop.Bus.PendingRequests);
    }

    [Fact]
    public async Task A_request_is_cancelled_through_its_token()
    {
        await StartAsync(Unique("slow"), o => o.AddHandler<SlowHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });
        var id = Unique("slow");
        using var cancel = new CancellationTokenSource();

        var request = shop.Bus.RequestAsync<StockLevel>(new SlowRequest(id), Wait, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        Switches.Gate(id).TrySetResult();
    }

    [Fact]
    public async Task A_handler_can_make_a_request_of_its_own()
    {
        await StartAsync(Unique("stock"), o => o.AddHandler<StockHandler>());
        await StartAsync(Unique("front"), o =>
        {
            o.AddHandler<NestedHandler>();
            o.Concurrency = 1;
        });
        var shop = await StartAsync(Unique("shop"), _ => { });

        var level = await shop.Bus.RequestAsync<StockLevel>(new NestedRequest("pear"), Wait);

        Assert.Equal(40, level.Quantity);
    }

    [Fact]
    public async Task Gather_streams_the_responses_of_every_responding_service()
    {
        var suppliers = new[] { Unique("supplier-a"), Unique("supplier-bb"), Unique("supplier-ccc") };
        foreach (var supplier in suppliers) await StartAsync(supplier, o => o.AddHandler<QuoteHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });

        var quotes = new List<Quote>();
        await foreach (var quote in shop.Bus.GatherAsync<Quote>(new GetQuote("lamp", _suffix), maxResponses: 3, timeout: Wait))
        {
            quotes.Add(quote);
        }

        Assert.Equal(suppliers.Order(), quotes.Select(q => q.Supplier).Order());
    }

    [Fact]
    public async Task Gather_ends_at_its_time_limit_with_what_has_arrived()
    {
        var suppliers = new[] { Unique("supplier-a"), Unique("supplier-b") };
        foreach (var supplier in suppliers) await StartAsync(supplier, o => o.AddHandler<QuoteHandler>());
        var shop = await StartAsync(Unique("shop"), _ => { });

        var quotes = new List<Quote>();
        await foreach (var quote in shop.Bus.GatherAsync<Quote>(new GetQuote("lamp", _suffix), timeout: TimeSpan.FromSeconds(2)))
        {
            quotes.Add(quote);
        }

        Assert.Equal(2, quotes.Count);
        Assert.Equal(0, shop.Bus.PendingRequests);
    }

    [Fact]
    public async Task Gather_with_no_responder_ends_at_once()
    {
        var shop = await StartAsync(Unique("shop"), _ => { });
        var clock = Stopwatch.StartNew();

        var count = 0;
        await foreach (var _ in shop.Bus.GatherAsync<StockLevel>(new UnansweredRequest("x"), timeout: TimeSpan.FromSeconds(60))) count++;

        Assert.Equal(0, count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Ids_flow_from_a_handled_message_to_the_messages_its_handler_sends()
    {
        var service = await StartAsync(Unique("flow"), o => o.AddHandler<FlowStartedHandler>().AddHandler<FlowContinuedHandler>());
        var id = Unique("flow");

        await service.Bus.PublishAsync(new FlowStarted(id));

        await service.Recorder.WaitForHandledAsync<FlowContinued>(m => m.Id == id, Wait);
        await service.Recorder.WaitForHandledAsync<FlowStarted>(m => m.Id == id, Wait);
        var started = service.Recorder.Handled.Single(r => r.Message is FlowStarted s && s.Id == id).Context!;
        var continued = service.Recorder.Handled.Single(r => r.Message is FlowContinued c && c.Id == id).Context!;
        Assert.Equal(started.MessageId, started.ConversationId);
        Assert.Equal(started.ConversationId, continued.ConversationId);
        Assert.Equal(started.MessageId, continued.CausationId);
        Assert.Equal(started.CorrelationId, continued.CorrelationId);
        Assert.NotEqual(started.MessageId, continued.MessageId);
        Assert.Equal(service.Bus.ServiceName, continued.Sender);
        Assert.NotNull(continued.SentTime);
    }

    [Fact]
    public async Task A_failing_handler_is_retried_immediately_and_succeeds()
    {
        var service = await StartAsync(Unique("flaky"), o => o.AddHandler<FlakyHandler>());
        var id = Unique("flaky");

        await service.Bus.SendAsync(new FlakyCommand(id, FailTimes: 2));

        var handled = await service.Recorder.WaitForHandledAsync<FlakyCommand>(c => c.Id == id, Wait);
        Assert.Equal(3, Switches.Attempts[id]);
        Assert.Equal(3, service.Recorder.Handled.Single(r => r.Message == (object)handled).Context!.Attempt);
    }

    [Fact]
    public async Task A_message_that_fails_every_retry_goes_to_the_error_queue_with_details_and_can_be_replayed()
    {
        var name = Unique("poison");
        var service = await StartAsync(name, o => o.AddHandler<PoisonHandler>());
        var id = Unique("poison");

        await service.Bus.SendAsync(new PoisonCommand(id));
        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);

        var failed = Assert.Single(await service.Bus.PeekErrorsAsync());
        Assert.Equal("test.always-fails", failed.Name);
        Assert.Equal("test.always-fails", failed.Queue);
        Assert.Equal(typeof(InvalidOperationException).FullName, failed.ExceptionType);
        Assert.Equal($"poison {id}", failed.ExceptionMessage);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal(3, Switches.Attempts[id]);

        Switches.Healed[id] = true;
        Assert.Equal(1, await service.Bus.ReplayErrorsAsync());

        await service.Recorder.WaitForHandledAsync<PoisonCommand>(c => c.Id == id, Wait);
        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task A_message_larger_than_the_maximum_message_size_fails_at_publish_with_a_clear_exception()
    {
        var service = await StartAsync(Unique("big"), o => o.MaxMessageSize = 1024);
        var big = new string('x', 2000);

        var published = await Assert.ThrowsAsync<MessageTooLargeException>(() => service.Bus.PublishAsync(new OrderPlaced(big, 1)));
        var sent = await Assert.ThrowsAsync<MessageTooLargeException>(() => service.Bus.SendAsync(new ShipOrder(big)));

        Assert.Equal("test.orders.placed", published.MessageName);
        Assert.Equal(1024, published.MaxSize);
        Assert.True(published.Size > 2000);
        Assert.Contains("WarrenOptions.MaxMessageSize", published.Message);
        Assert.Equal("test.ship-order", sent.MessageName);
    }

    [Fact]
    public async Task A_body_that_cannot_be_read_goes_to_the_error_queue_at_once_and_does_not_block_the_queue()
    {
        var name = Unique("unreadable");
        var service = await StartAsync(name, o =>
        {
            o.AddHandler<OrderPlacedHandler>();
            o.Concurrency = 1;
        });
        var bad = Raw("test.orders.placed", "{ this is not JSON"u8.ToArray());

        await service.Bus.Transport.PublishAsync("warren.events", "test.orders.placed", false, bad, CancellationToken.None);
        var after = new OrderPlaced(Unique("after"), 1);
        await service.Bus.PublishAsync(after);

        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == after, Wait);
        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        var failed = Assert.Single(await service.Bus.PeekErrorsAsync());
        Assert.Equal(bad.MessageId, failed.MessageId);
        Assert.Equal(typeof(MessageDeserializationException).FullName, failed.ExceptionType);
        Assert.Contains("cannot be read as Warren.Messaging.Tests.OrderPlaced", failed.ExceptionMessage);
        Assert.Equal(1, failed.Attempts);
    }

    [Fact]
    public async Task A_message_whose_type_no_handler_knows_goes_to_the_error_queue_with_the_reason()
    {
        var name = Unique("renamed");
        var service = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>());
        // Routed by a binding the service has, named as no handler of it is (a renamed type).
        var unknown = Raw("test.orders.placed-v0", """{"orderId":"x","amount":1}"""u8.ToArray());

        await service.Bus.Transport.PublishAsync("warren.events", "test.orders.placed", false, unknown, CancellationToken.None);

        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        var failed = Assert.Single(await service.Bus.PeekErrorsAsync());
        Assert.Equal(unknown.MessageId, failed.MessageId);
        Assert.Equal(name, failed.Queue);
        Assert.Equal($"Service '{name}' has no handler for event 'test.orders.placed-v0'.", failed.ExceptionMessage);
    }

    private static TransportMessage Raw(string type, byte[] body) => new()
    {
        MessageId = Guid.NewGuid().ToString(),
        Type = type,
        Intent = MessageIntent.Event,
        ContentType = "application/json",
        Persistent = true,
        Body = body,
    };

    [Fact]
    public async Task Peeking_the_error_queue_twice_returns_the_same_messages_in_the_same_order_and_leaves_them_there()
    {
        var (service, ids) = await StartWithFailedEventsAsync("peek", 5);

        var first = await service.Bus.PeekErrorsAsync();
        var second = await service.Bus.PeekErrorsAsync();
        var firstTwo = await service.Bus.PeekErrorsAsync(max: 2);

        Assert.Equal(ids, first.Select(TestMessages.IdOf));
        Assert.Equal(first.Select(f => f.MessageId), second.Select(f => f.MessageId));
        Assert.Equal(ids[..2], firstTwo.Select(TestMessages.IdOf));
        Assert.Equal(ids, (await service.Bus.PeekErrorsAsync()).Select(TestMessages.IdOf));
    }

    [Fact]
    public async Task Replaying_with_a_filter_replays_the_chosen_messages_and_leaves_the_others_in_their_original_order()
    {
        var (service, ids) = await StartWithFailedEventsAsync("replay", 5);
        string[] chosen = [ids[1], ids[3]];
        foreach (var id in chosen) Switches.Healed[id] = true;

        var replayed = await service.Bus.ReplayErrorsAsync(f => chosen.Contains(TestMessages.IdOf(f)));

        Assert.Equal(2, replayed);
        foreach (var id in chosen) await service.Recorder.WaitForHandledAsync<BrokenEvent>(e => e.Id == id, Wait);
        Assert.Equal([ids[0], ids[2], ids[4]], (await service.Bus.PeekErrorsAsync()).Select(TestMessages.IdOf));
    }

    // A service whose events all fail at once into its error queue, in the order published. Its own
    // events exchange keeps other tests' (and other developers') failing events out of its queues.
    private async Task<(TestService Service, string[] Ids)> StartWithFailedEventsAsync(string name, int count)
    {
        var service = await StartAsync(Unique(name), o =>
        {
            o.EventsExchange = Unique("events");
            FailedEvents.Configure(o);
        });
        var ids = Enumerable.Range(0, count).Select(i => Unique($"{name}{i}")).ToArray();
        await FailedEvents.PublishAndWaitAsync(service, ids);
        return (service, ids);
    }

    [Fact]
    public async Task A_delayed_retry_redelivers_the_message_after_its_delay()
    {
        if (Transport.DelayedRetrySkipReason is { } reason) Assert.Skip(reason);
        // Left by an earlier run with another queue type, it would refuse this run's declare.
        var retryQueue = TopologyConventions.RetryQueue(MessageNames.Of<DelayedRetryCommand>(), TimeSpan.FromMilliseconds(500));
        await Transport.DeleteAsync([retryQueue], []);
        _leftovers.Add(retryQueue);
        var service = await StartAsync(Unique("delayed"), o =>
        {
            o.AddHandler<DelayedRetryHandler>();
            o.Retries.Immediate = 0;
            o.Retries.Delays.Add(TimeSpan.FromMilliseconds(500));
        });
        var id = Unique("delayed");
        var clock = Stopwatch.StartNew();

        await service.Bus.SendAsync(new DelayedRetryCommand(id));

        var handled = await service.Recorder.WaitForHandledAsync<DelayedRetryCommand>(c => c.Id == id, Wait);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(450), $"redelivered after {clock.Elapsed}");
        Assert.Equal(2, service.Recorder.Handled.Single(r => r.Message == (object)handled).Context!.Attempt);
    }

    [Fact]
    public async Task Stopping_lets_in_flight_handlers_finish()
    {
        var name = Unique("drain");
        var service = await StartAsync(name, o => o.AddHandler<DrainHandler>());
        var id = Unique("drain");
        await service.Bus.SendAsync(new DrainCommand(id));
        await Switches.Gate(id + ".started").Task.WaitAsync(Wait);

        var stopping = service.Bus.StopAsync();
        Assert.False(stopping.IsCompleted);
        Switches.Gate(id).TrySetResult();
        await stopping.WaitAsync(Wait);

        await service.Recorder.WaitForHandledAsync<DrainCommand>(c => c.Id == id, Wait);
        Assert.False(service.Bus.IsRunning);
    }

    [Fact]
    public async Task The_topology_plan_names_what_the_service_declares()
    {
        var name = Unique("billing");
        var service = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>().AddHandler<StockHandler>().AddHandler<ShipOrderHandler>());

        var plan = service.Bus.Topology.ToString();

        Assert.Contains("warren.events (topic, durable)", plan);
        Assert.Contains($"warren.events --[test.orders.placed]--> {name}", plan);
        Assert.Contains($"warren.requests --[test.check-stock]--> {name}", plan);
        Assert.Contains("test.ship-order (durable)", plan);
        Assert.Contains($"{name}.error (durable)", plan);
        Assert.Contains($"{name}.reply.", plan);
    }

    [Fact]
    public async Task Publishing_to_an_exchange_deleted_behind_the_bus_fails_clearly_and_the_next_publish_succeeds()
    {
        var events = Unique("events");
        var service = await StartAsync(Unique("billing"), o =>
        {
            o.EventsExchange = events;
            o.AddHandler<OrderPlacedHandler>().AddHandler<ShipOrderHandler>();
        });
        await Transport.DeleteExchangeAsync(events);

        var error = await Assert.ThrowsAsync<MessageUnroutableException>(() => service.Bus.PublishAsync(new OrderPlaced(Unique("lost"), 1)));
        Assert.Contains($"'{events}'", error.Message);
        Assert.Equal(events, error.Exchange);

        var id = Unique("ship");
        await service.Bus.SendAsync(new ShipOrder(id));
        await service.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == id, Wait);
    }

    [Fact]
    public async Task Concurrent_publishes_survive_one_publish_to_a_deleted_exchange()
    {
        var events = Unique("events");
        var service = await StartAsync(Unique("billing"), o =>
        {
            o.EventsExchange = events;
            o.AddHandler<ShipOrderHandler>();
        });
        await Transport.DeleteExchangeAsync(events);
        var ids = Enumerable.Range(0, 50).Select(i => Unique("ship" + i)).ToArray();

        var sends = ids.Select(id => service.Bus.SendAsync(new ShipOrder(id))).ToList();
        var doomed = service.Bus.PublishAsync(new OrderPlaced(Unique("lost"), 1));
        sends.AddRange(ids.Select(id => service.Bus.SendAsync(new ShipOrder(id + "-after"))));

        await Assert.ThrowsAsync<MessageUnroutableException>(() => doomed);
        await Task.WhenAll(sends).WaitAsync(Wait);
        foreach (var id in ids.Concat(ids.Select(i => i + "-after")))
        {
            await service.Recorder.WaitForHandledAsync<ShipOrder>(o => o.OrderId == id, Wait);
        }
    }

    [Fact]
    public async Task Declaring_a_conflicting_queue_fails_clearly_and_the_bus_keeps_working()
    {
        var name = Unique("billing");
        var service = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>().AddHandler<ShipOrderHandler>());
        var conflicting = new TopologyPlan([], [new QueuePlan(name, Durable: false, Exclusive: false, AutoDelete: false, "conflicts with the service queue")], []);

        var error = await Assert.ThrowsAsync<BrokerRefusedException>(() => service.Bus.Transport.DeclareAsync(conflicting, CancellationToken.None));
        Assert.Equal(406, error.ReplyCode);
        Assert.StartsWith("PRECONDITION_FAILED", error.ReplyText);
        Assert.Contains($"Declaring queue '{name}'", error.Message);

        await service.Bus.Transport.DeclareAsync(service.Bus.Topology, CancellationToken.None);
        var order = new OrderPlaced(Unique("order"), 2);
        await service.Bus.PublishAsync(order);
        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait);
        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task Browsing_a_missing_queue_fails_clearly_and_the_bus_keeps_working()
    {
        var service = await StartAsync(Unique("billing"), _ => { });
        var missing = Unique("missing");

        var error = await Assert.ThrowsAsync<QueueNotFoundException>(() => service.Bus.Transport.BrowseAsync(missing, CancellationToken.None));
        Assert.Equal(missing, error.Queue);

        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task Consuming_a_missing_queue_fails_clearly()
    {
        var service = await StartAsync(Unique("billing"), _ => { });
        var missing = Unique("missing");

        var error = await Assert.ThrowsAsync<BrokerRefusedException>(() => service.Bus.Transport.ConsumeAsync(missing, new ConsumerSettings(1, 1), (_, _) => Task.CompletedTask, CancellationToken.None));

        Assert.Equal(404, error.ReplyCode);
        Assert.Contains($"Consuming queue '{missing}'", error.Message);
    }

    [Fact]
    public async Task A_consumer_whose_queue_is_deleted_consumes_again_once_the_queue_is_back()
    {
        if (Transport.QueueRecreateSkipReason is { } reason) Assert.Skip(reason);
        var name = Unique("billing");
        var service = await StartAsync(name, o => o.AddHandler<OrderPlacedHandler>());
        var before = new OrderPlaced(Unique("before"), 1);
        await service.Bus.PublishAsync(before);
        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == before, Wait);

        var health = ActivatorUtilities.CreateInstance<WarrenHealthCheck>(service.Services);
        await Transport.DeleteQueueAsync(name);
        await Waits.Eventually(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Degraded);
        await Transport.DeclareQueueAsync(name, "warren.events", MessageNames.Of<OrderPlaced>());
        var after = new OrderPlaced(Unique("after"), 2);
        await service.Bus.PublishAsync(after);

        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == after, Wait);
        await Waits.Eventually(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);
    }
}
