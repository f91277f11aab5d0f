using System.Collections.Concurrent;
using Warren.Messaging;
using Microsoft.Extensions.DependencyInjection;
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

public sealed class UnnamedEventHandler : IHandleEvent<UnnamedEvent>
{
    public Task HandleAsync(UnnamedEvent message, MessageContext context) => Task.CompletedTask;
}

/// <summary>What happened, in order, per test id: filters and handlers append to it.</summary>
public static class Trails
{
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> s_trails = new();

    public static ConcurrentQueue<string> Of(string id) => s_trails.GetOrAdd(id, _ => new ConcurrentQueue<string>());

    public static void Add(string id, string step) => Of(id).Enqueue(step);

    /// <summary>The id of a test message (every pipeline message has one).</summary>
    public static string IdOf(object message) => message switch
    {
        PipelineCommand m => m.Id,
        PipelineEvent m => m.Id,
        PipelineFollowUp m => m.Id,
        PipelineRequest m => m.Id,
        _ => "",
    };
}

public sealed class PipelineCommandHandler : IHandleCommand<PipelineCommand>
{
    public Task HandleAsync(PipelineCommand message, MessageContext context)
    {
        Trails.Add(message.Id, "handler" + (context.Headers.TryGetValue("tenant", out var tenant) ? " tenant=" + tenant : ""));
        return Task.CompletedTask;
    }
}

/// <summary>Starts a flow: sends a follow-up command, which the tenancy filter must tag with this event's tenant.</summary>
public sealed class PipelineEventHandler : IHandleEvent<PipelineEvent>
{
    public Task HandleAsync(PipelineEvent message, MessageContext context)
    {
        Trails.Add(message.Id, "event" + (context.Headers.TryGetValue("tenant", out var tenant) ? " tenant=" + tenant : ""));
        return context.Bus.SendAsync(new PipelineFollowUp(message.Id));
    }
}

public sealed class PipelineFollowUpHandler(TenantScope tenant) : IHandleCommand<PipelineFollowUp>
{
    public Task HandleAsync(PipelineFollowUp message, MessageContext context)
    {
        Trails.Add(message.Id, "follow-up tenant=" + (tenant.Tenant ?? "none"));
        return Task.CompletedTask;
    }
}

public sealed class PipelineRequestHandler(ServiceIdentity identity) : IHandleRequest<PipelineRequest, PipelineReply>
{
    public Task<PipelineReply> HandleAsync(PipelineRequest request, MessageContext context)
    {
        Trails.Add(request.Id, "request" + (context.Headers.TryGetValue("tenant", out var tenant) ? " tenant=" + tenant : ""));
        return Task.FromResult(new PipelineReply(request.Id, identity.Name));
    }
}

/// <summary>A scoped service a tenancy filter fills from a header and handlers read.</summary>
public sealed class TenantScope
{
    public string? Tenant { get; set; }
}

/// <summary>Writes "name&gt;" before and "&lt;name" after the rest of the pipeline, for both directions.</summary>
public sealed class TraceFilter(string name) : IHandleFilter, ISendFilter
{
    public async Task HandleAsync(HandleContext context, HandleDelegate next)
    {
        var id = Trails.IdOf(context.Message);
        Trails.Add(id, name + ">");
        await next(context);
        Trails.Add(id, "<" + name);
    }

    public async Task SendAsync(SendContext context, SendDelegate next)
    {
        var id = Trails.IdOf(context.Message);
        Trails.Add(id, $"send {name}> {context.Intent} {context.MessageName}");
        await next(context);
        Trails.Add(id, $"send <{name} sent={context.Sent}");
    }
}

/// <summary>Tenancy the way a team would write it: the header into a scoped service on the way in, and onto what handlers send on the way out.</summary>
public sealed class TenancyFilter : IHandleFilter, ISendFilter
{
    public Task HandleAsync(HandleContext context, HandleDelegate next)
    {
        if (context.Headers.TryGetValue("tenant", out var tenant)) context.Services.GetRequiredService<TenantScope>().Tenant = tenant;
        return next(context);
    }

    public Task SendAsync(SendContext context, SendDelegate next)
    {
        if (context.Handling?.Headers.TryGetValue("tenant", out var tenant) == true && !context.Headers.ContainsKey("tenant")) context.Headers["tenant"] = tenant;
        return next(context);
    }
}

/// <summary>Skips the handler of messages whose "skip" header is set; answers requests itself.</summary>
public sealed class SkippingFilter : IHandleFilter, ISendFilter
{
    public Task HandleAsync(HandleContext context, HandleDelegate next)
    {
        if (!context.Headers.ContainsKey("skip")) return next(context);
        Trails.Add(Trails.IdOf(context.Message), "skipped");
        if (context.Message is PipelineRequest request) context.Response = new PipelineReply(request.Id, "filter");
        return Task.CompletedTask;
    }

    // Holds back messages whose header says so.
    public Task SendAsync(SendContext context, SendDelegate next) => context.Headers.ContainsKey("hold") ? Task.CompletedTask : next(context);
}

/// <summary>Fails with the exception named in the message until it has failed FailTimes times.</summary>
public sealed class RetryHandler : IHandleCommand<RetryCommand>, IHandleRequest<RetryRequest, StockLevel>
{
    public static Exception Make(string kind, string id) => kind switch
    {
        "argument" => new ArgumentException($"bad argument {id}"),
        "timeout" => new TimeoutException($"timed out {id}"),
        _ => new InvalidOperationException($"invalid {id}"),
    };

    public Task HandleAsync(RetryCommand message, MessageContext context)
    {
        var attempt = Switches.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        return attempt <= message.FailTimes ? throw Make(message.Throw, message.Id) : Task.CompletedTask;
    }

    public Task<StockLevel> HandleAsync(RetryRequest request, MessageContext context)
    {
        Switches.Attempts.AddOrUpdate(request.Id, 1, (_, n) => n + 1);
        throw Make(request.Throw, request.Id);
    }
}

public sealed class RetryOtherHandler : IHandleCommand<RetryOtherCommand>
{
    public Task HandleAsync(RetryOtherCommand message, MessageContext context)
    {
        var attempt = Switches.Attempts.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
        return attempt <= message.FailTimes ? throw RetryHandler.Make(message.Throw, message.Id) : Task.CompletedTask;
    }
}

public sealed class CacheInvalidatedHandler : IHandleEvent<CacheInvalidated>
{
    public Task HandleAsync(CacheInvalidated message, MessageContext context) => Task.CompletedTask;
}

public sealed class InstanceQuoteHandler(ServiceIdentity identity) : IHandleRequest<GetInstanceQuote, InstanceQuote>
{
    public Task<InstanceQuote> HandleAsync(GetInstanceQuote request, MessageContext context) =>
        Task.FromResult(new InstanceQuote(identity.Name, ((WarrenBus)context.Bus).InstanceId));
}
