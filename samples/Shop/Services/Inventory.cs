using Shop.Contracts;
using Warren.Messaging;

namespace Shop.Services;

/// <summary>Inventory: reserves stock for each order placed.</summary>
public sealed class ReserveStockHandler(StockBook stock, ShopTrace trace, ServiceInstance me) : IHandleEvent<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced message, MessageContext context)
    {
        var reserved = message.Lines.Select(l => $"{l.Sku} x{l.Quantity} ({stock.Reserve(l.Sku, l.Quantity)} left)");
        trace.Handled(me, "handles", context, $"order {message.OrderId}: reserved {string.Join(", ", reserved)}");
        return Task.CompletedTask;
    }
}

/// <summary>Inventory: answers stock checks (request/response).</summary>
public sealed class CheckStockHandler(StockBook stock, ShopTrace trace, ServiceInstance me) : IHandleRequest<CheckStock, StockLevel>
{
    public Task<StockLevel> HandleAsync(CheckStock request, MessageContext context)
    {
        var available = stock.Available(request.Sku);
        trace.Handled(me, "answers", context, $"{request.Sku}: {available} free");
        return Task.FromResult(new StockLevel(request.Sku, available, available >= request.Quantity));
    }
}

/// <summary>Inventory's stock levels (in memory).</summary>
public sealed class StockBook
{
    private readonly Dictionary<string, int> _free = new(StringComparer.Ordinal) { ["KB-01"] = 40, ["LAMP-07"] = 12, ["MUG-3"] = 200, ["CBL-2"] = 75 };
    private readonly Lock _gate = new();

    public int Available(string sku)
    {
        lock (_gate) return _free.GetValueOrDefault(sku);
    }

    public int Reserve(string sku, int quantity)
    {
        lock (_gate) return _free[sku] = _free.GetValueOrDefault(sku) - quantity;
    }
}
