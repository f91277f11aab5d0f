using System.Collections.Concurrent;
using Warren.Messaging;
using Warren.Messaging.Configuration;

namespace Warren.Messaging.Tests;

/// <summary>Test-wide switches that handlers read; each test uses unique ids, so shared state is safe.</summary>
public static class Switches
{
    public static readonly ConcurrentDictionary<string, int> Attempts = new();
    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Gates = new();
    public static readonly ConcurrentDictionary<string, bool> Healed = new();

    public static readonly ConcurrentDictionary<string, TaskCompletionSource> Arrivals = new();

    /// <summary>Completes when a gated handler has received the message with this id.</summary>
    public static TaskCompletionSource Arrived(string id) => Arrivals.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public static TaskCompletionSource Gate(string id) => Gates.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

public sealed class OrderPlacedHandler : IHandleEvent<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced message, MessageContext context) => Task.CompletedTask;
}

public sealed class AnyOrderEventHandler : IHandleEvent<OrderCancelled>
{
    public Task HandleAsync(OrderCancelled message, MessageContext context) => Task.CompletedTask;
}

public sealed class ShipOrderHandler : IHandleCommand<ShipOrder>
{
    public Task HandleAsync(ShipOrder message, MessageContext context) => Task.CompletedTask;
}

public sealed class StockHandler(ServiceIdentity identity) : IHandleRequest<CheckStock, StockLevel>
{
    public Task<StockLevel> HandleAsync(CheckStock request, MessageContext context) =>
        Task.FromResult(new StockLevel(request.Sku, request.Sku.Length, identity.Name));
}

public sealed class QuoteHandler(ServiceIdentity identity) : IHandleRequest<GetQuote, Quote>
{
    public Task<Quote> HandleAsync(GetQuote request, MessageContext context) =>
        Task.FromResult(new Quote(identity.Name, identity.Name.Length));
}

public sealed class FailingHandler : IHandleRequest<FailingRequest, StockLevel>
{
    public Task<StockLevel> HandleAsync(FailingRequest request, MessageContext context) =>
        throw new InvalidOperationException($"out of stock for {request.Id}");
}

public sealed class SlowHandler : IHandleRequest<SlowRequest, StockLevel>
{
    public async Task<StockLevel> HandleAsync(SlowRequest request, MessageContext context)
    {
        Switches.Arrived(request.Id).TrySetResult();
        await Switches.Gate(request.Id).Task.WaitAsync(context.CancellationToken);
        return new StockLevel(request.Id, 1, "slow");
    }
}

public sealed class NestedHandler : IHandleRequest<NestedRequest, StockLevel>
{
    public async Task<StockLevel> HandleAsync(NestedRequest request, MessageContext context)
    {
        var inner = await context.Bus.RequestAsync(new CheckStock(request.Sku), TimeSpan.FromSeconds(20));
        return inner with { Quantity = inner.Quantity * 10 };
    }
}

public sealed class FlakyHandler : IHandleCommand<FlakyCommand>
{
    public Task HandleAsync(FlakyCommand message, MessageContext context)
    {
        var attempt = Switches.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        if (attempt <= message.FailTimes) throw new InvalidOperationException($"flaky attempt {attempt}");
        return Task.CompletedTask;
    }
}

public sealed class PoisonHandler : IHandleCommand<PoisonCommand>
{
    public Task HandleAsync(PoisonCommand message, MessageContext context)
    {
        Switches.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        if (!Switches.Healed.ContainsKey(message.Id)) throw new InvalidOperationException($"poison {message.Id}");
        return Task.CompletedTask;
    }
}

public sealed class DelayedRetryHandler : IHandleCommand<DelayedRetryCommand>
{
    public Task HandleAsync(DelayedRetryCommand message, MessageContext context)
    {
        var attempt = Switches.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        if (attempt == 1) throw new InvalidOperationException("first attempt fails");
        return Task.CompletedTask;
    }
}

public sealed class DrainHandler : IHandleCommand<DrainCommand>
{
    public async Task HandleAsync(DrainCommand message, MessageContext context)
    {
        Switches.Gate(message.Id + ".started").TrySetResult();
        await Switches.Gate(message.Id).Task;
    }
}

public sealed class FlowStartedHandler : IHandleEvent<FlowStarted>
{
    public Task HandleAsync(FlowStarted message, MessageContext context) => context.Bus.SendAsync(new FlowContinued(message.Id));
}

public sealed class FlowContinuedHandler : IHandleCommand<FlowContinued>
{
    public Task HandleAsync(FlowContinued message, MessageContext context) => Task.CompletedTask;
}

/// <summary>Which service a handler runs in (registered per test service).</summary>
public sealed record ServiceIdentity(string Name);

/// <summary>Fails until its id is healed: fills an error queue with messages in a known order.</summary>
public sealed class BrokenEventHandler : IHandleEvent<BrokenEvent>
{
    public Task HandleAsync(BrokenEvent message, MessageContext context) =>
        Switches.Healed.ContainsKey(message.Id) ? Task.CompletedTask : throw new InvalidOperationException($"broken {message.Id}");
}

/// <summary>Fills a service's error queue with <see cref="BrokenEvent"/>s in a known order.</summary>
public static class FailedEvents
{
    /// <summary>Handles <see cref="BrokenEvent"/> one at a time with no retries, so failures reach the error queue at once and in order.</summary>
    public static void Configure(WarrenOptions options)
    {
        options.AddHandler<BrokenEventHandler>();
        options.Retries.Immediate = 0;
        options.Concurrency = 1;
    }

    /// <summary>Publishes one event per id and waits until they are all in the service's error queue.</summary>
    public static async Task PublishAndWaitAsync(TestService service, IReadOnlyList<string> ids)
    {
        foreach (var id in ids) await service.Bus.PublishAsync(new BrokenEvent(id));
        await Waits.Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == ids.Count);
    }
}
