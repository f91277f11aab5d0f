using Warren.Messaging;

namespace Warren.Messaging.Tests;

[Message("test.orders.placed")]
public sealed record OrderPlaced(string OrderId, decimal Amount);

[Message("test.orders.cancelled")]
public sealed record OrderCancelled(string OrderId);

[Message("test.ship-order")]
public sealed record ShipOrder(string OrderId);

[Message("test.charge-card")]
public sealed record ChargeCard(string OrderId);

[Message("test.nobody-owns-this")]
public sealed record UnownedCommand(string Id);

[Message("test.check-stock")]
public sealed record CheckStock(string Sku, string Tag = "") : IRequest<StockLevel>;

public sealed record StockLevel(string Sku, int Quantity, string Responder);

[Message("test.quote")]
public sealed record GetQuote(string Item, string Tag);

public sealed record Quote(string Supplier, decimal Price);

[Message("test.nobody-answers-this")]
public sealed record UnansweredRequest(string Id);

[Message("test.fails")]
public sealed record FailingRequest(string Id);

[Message("test.slow")]
public sealed record SlowRequest(string Id);

[Message("test.nested")]
public sealed record NestedRequest(string Sku);

[Message("test.flaky")]
public sealed record FlakyCommand(string Id, int FailTimes);

[Message("test.always-fails")]
public sealed record PoisonCommand(string Id);

[Message("test.delayed")]
public sealed record DelayedRetryCommand(string Id);

[Message("test.drain")]
public sealed record DrainCommand(string Id);

[Message("test.flow")]
public sealed record FlowStarted(string Id);

[Message("test.flow-next")]
public sealed record FlowContinued(string Id);

[Message("test.errors.broken")]
public sealed record BrokenEvent(string Id);

public static class TestMessages
{
    /// <summary>The <c>Id</c> in a failed message's JSON body.</summary>
    public static string IdOf(FailedMessage failed) => System.Text.Json.JsonDocument.Parse(failed.Body).RootElement.GetProperty("id").GetString()!;
}

/// <summary>No [Message]: its wire name comes from the .NET type name ("unnamed-event").</summary>
public sealed record UnnamedEvent(string Id);
[Message("test.pipeline")]
public sealed record PipelineCommand(string Id);

[Message("test.pipeline-event")]
public sealed record PipelineEvent(string Id);

[Message("test.pipeline-next")]
public sealed record PipelineFollowUp(string Id);

[Message("test.pipeline-request")]
public sealed record PipelineRequest(string Id) : IRequest<PipelineReply>;

public sealed record PipelineReply(string Id, string From);

[Message("test.retry")]
public sealed record RetryCommand(string Id, string Throw, int FailTimes);

[Message("test.retry-other")]
public sealed record RetryOtherCommand(string Id, string Throw, int FailTimes);

[Message("test.retry-request")]
public sealed record RetryRequest(string Id, string Throw) : IRequest<StockLevel>;

[Message("test.cache-invalidated")]
public sealed record CacheInvalidated(string Key);

[Message("test.instance-quote")]
public sealed record GetInstanceQuote(string Item) : IRequest<InstanceQuote>;

public sealed record InstanceQuote(string Service, string Instance);
