using Shop.Contracts;
using Warren.Messaging;

namespace Shop.Services;

/// <summary>
/// Shipping: several instances share the command queue <c>shipping.ship-order</c>; each command is
/// handled by exactly one of them. Each takes one order at a time (prefetch 1, concurrency 1, see
/// <see cref="ShopServices"/>) and packing takes a moment, so the orders spread over the instances.
/// </summary>
public sealed class ShipOrderHandler(ShopTrace trace, ServiceInstance me) : IHandleCommand<ShipOrder>
{
    private static readonly string[] s_carriers = ["DHL", "UPS", "GLS"];

    public async Task HandleAsync(ShipOrder message, MessageContext context)
    {
        trace.Handled(me, "handles", context, $"order {message.OrderId}: packing {message.Lines.Sum(l => l.Quantity)} item(s) for {message.Address}");
        await Task.Delay(TimeSpan.FromMilliseconds(150), context.CancellationToken);
        var carrier = s_carriers[Math.Abs(message.OrderId.GetHashCode(StringComparison.Ordinal)) % s_carriers.Length];
        var shipped = new OrderShipped(message.OrderId, carrier, "TRK" + context.MessageId[^8..].ToUpperInvariant(), me.Label);
        trace.Line(me, "publish", "orders.shipped", context.CorrelationId, $"order {message.OrderId} handed to {carrier}");
        await context.Bus.PublishAsync(shipped, context.CancellationToken);
    }
}
