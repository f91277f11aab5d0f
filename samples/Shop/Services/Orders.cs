using System.Collections.Concurrent;
using Shop.Contracts;
using Warren.Messaging;

namespace Shop.Services;

/// <summary>Orders: listens for <see cref="OrderShipped"/> to close the orders it placed.</summary>
public sealed class OrderShippedHandler(OrderTracker tracker, ShopTrace trace, ServiceInstance me) : IHandleEvent<OrderShipped>
{
    public Task HandleAsync(OrderShipped message, MessageContext context)
    {
        var known = tracker.Shipped(message);
        trace.Handled(me, "handles", context, known
            ? $"order {message.OrderId} shipped by {message.ShippedBy} ({message.Carrier} {message.TrackingNumber}) - done"
            : $"order {message.OrderId} is not from this run (left over in the queue), ignored");
        return Task.CompletedTask;
    }
}

/// <summary>The orders this run placed and whether they have shipped.</summary>
public sealed class OrderTracker
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<OrderShipped>> _orders = new(StringComparer.Ordinal);

    public void Expect(string orderId) => _orders[orderId] = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Shipped(OrderShipped shipped) => _orders.TryGetValue(shipped.OrderId, out var order) && order.TrySetResult(shipped);

    /// <summary>The shipments that came before <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<OrderShipped>> WaitAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(_orders.Values.Select(o => o.Task));
        try
        {
            await all.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        return _orders.Values.Where(o => o.Task.IsCompletedSuccessfully).Select(o => o.Task.Result).ToList();
    }
}

/// <summary>
/// The order service's front end, i.e. the demo's script: a stock check (request/response), a
/// bulk quote (scatter-gather to the suppliers), then orders placed (events) that billing turns
/// into shipping commands.
/// </summary>
public sealed class Storefront(IMessageBus bus, OrderTracker tracker, ShopTrace trace, ServiceInstance me)
{
    private static readonly string[] s_customers = ["ada", "grace", "linus", "barbara", "ken", "margaret"];
    private static readonly string[] s_cities = ["Berlin", "Lyon", "Porto", "Oslo", "Turin", "Ghent"];

    /// <summary>Runs the script; true when every step got its answers.</summary>
    public async Task<bool> RunAsync(int orderCount, TimeSpan shippingTimeout, CancellationToken cancellationToken)
    {
        var ok = true;

        // 1. Request/response: one answer, straight back to this instance's reply queue.
        trace.Line(me, "request", "inventory.check-stock", null, "is there KB-01 x2 in stock?");
        try
        {
            var level = await bus.RequestAsync(new CheckStock("KB-01", 2), TimeSpan.FromSeconds(5), cancellationToken);
            trace.Line(me, "reply", "inventory.check-stock", null, $"{level.Available} x {level.Sku} free: {(level.Enough ? "enough" : "not enough")}");
        }
        catch (MessageUnroutableException)
        {
            trace.Line(me, "failed", "inventory.check-stock", null, "no queue takes inventory.check-stock: the request came back at once (inventory never ran here)");
            ok = false;
        }
        catch (RequestTimeoutException e)
        {
            trace.Line(me, "failed", "inventory.check-stock", null, e.Message);
            ok = false;
        }

        // 2. Scatter-gather: every supplier service answers; quotes stream in as they arrive.
        trace.Line(me, "gather", "suppliers.quote", null, "LAMP-07 x50: asking every supplier (up to 3 quotes, 2 s)");
        var quotes = new List<SupplierQuote>();
        await foreach (var quote in bus.GatherAsync<SupplierQuote>(new RequestQuote("LAMP-07", 50), maxResponses: 3, timeout: TimeSpan.FromSeconds(2), cancellationToken: cancellationToken))
        {
            quotes.Add(quote);
            trace.Line(me, "quote", "suppliers.quote", null, $"{quote.Supplier}: {Catalog.Money(quote.UnitPrice)} each, {quote.DeliveryDays} days");
        }
        if (quotes.Count == 0)
        {
            trace.Line(me, "failed", "suppliers.quote", null, "no supplier answered");
            ok = false;
        }
        else
        {
            var best = quotes.MinBy(q => q.UnitPrice)!;
            trace.Line(me, "decide", "suppliers.quote", null, $"{quotes.Count} quote(s); cheapest {best.Supplier} at {Catalog.Money(best.UnitPrice)}: offer the customer {Catalog.Money(best.UnitPrice * 1.25m)} each");
        }

        // 3. Events and commands: each OrderPlaced goes to billing and inventory; billing sends
        //    ShipOrder to one of the shipping instances, which publishes OrderShipped back to us.
        var run = DateTime.Now.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var skus = Catalog.Products.Keys.ToArray();
        for (var i = 0; i < orderCount; i++)
        {
            var sku = skus[i % skus.Length];
            var lines = new List<OrderLine> { new(sku, 1 + i % 3, Catalog.Products[sku].Price) };
            var extra = sku == "CBL-2" ? "MUG-3" : "CBL-2";
            if (i % 2 == 1) lines.Add(new OrderLine(extra, 1, Catalog.Products[extra].Price));
            var order = new OrderPlaced($"{run}-{i + 1}", s_customers[i % s_customers.Length], s_cities[i % s_cities.Length], lines, lines.Sum(l => l.Quantity * l.UnitPrice));
            tracker.Expect(order.OrderId);
            trace.Line(me, "publish", "orders.placed", null, $"order {order.OrderId}: {order.Customer}, {string.Join(" + ", lines.Select(l => $"{l.Sku} x{l.Quantity}"))} = {Catalog.Money(order.Total)}");
            await bus.PublishAsync(order, cancellationToken);
        }

        trace.Line(me, "wait", "orders.shipped", null, $"for {orderCount} shipment(s), up to {shippingTimeout.TotalSeconds:0} s");
        var shipped = await tracker.WaitAllAsync(shippingTimeout, cancellationToken);
        trace.Note("");
        trace.Note($"{shipped.Count} of {orderCount} orders shipped; shipping instances (competing consumers of shipping.ship-order):");
        foreach (var group in shipped.GroupBy(s => s.ShippedBy).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            trace.Note($"  {group.Key,-16} {group.Count()} order(s): {string.Join(", ", group.Select(s => s.OrderId).Order(StringComparer.Ordinal))}");
        }
        return ok && shipped.Count == orderCount;
    }
}
