using Shop.Contracts;
using Warren.Messaging;

namespace Shop.Services;

/// <summary>Billing: invoices each order it hears about, then asks shipping to ship it (a command).</summary>
public sealed class BillOrderHandler(Invoices invoices, ShopTrace trace, ServiceInstance me) : IHandleEvent<OrderPlaced>
{
    public async Task HandleAsync(OrderPlaced message, MessageContext context)
    {
        var invoice = invoices.Next();
        trace.Handled(me, "handles", context, $"order {message.OrderId}: invoice {invoice}, charged {Catalog.Money(message.Total)}");
        // Sent from a handler: the command carries this event's correlation and conversation ids.
        trace.Line(me, "send", "shipping.ship-order", context.CorrelationId, $"ship order {message.OrderId} to {message.Address}");
        await context.Bus.SendAsync(new ShipOrder(message.OrderId, message.Address, message.Lines), context.CancellationToken);
    }
}

/// <summary>Billing's invoice numbers.</summary>
public sealed class Invoices
{
    private int _last = 1000;

    public string Next() => "INV-" + Interlocked.Increment(ref _last);
}
