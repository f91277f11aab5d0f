using Warren.Messaging;

namespace Shop.Contracts;

// The wire names below are the contract: the body is plain camelCase JSON, the name travels in the
// AMQP `type` property and is the routing key (events, requests) or the queue (commands).

/// <summary>One line of an order.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

/// <summary>Event: a customer placed an order. Billing and inventory each get a copy.</summary>
[Message("orders.placed")]
public sealed record OrderPlaced(string OrderId, string Customer, string Address, IReadOnlyList<OrderLine> Lines, decimal Total);

/// <summary>Event: shipping handed the order to a carrier. The order service listens.</summary>
[Message("orders.shipped")]
public sealed record OrderShipped(string OrderId, string Carrier, string TrackingNumber, string ShippedBy);

/// <summary>Command: ship this order. Owned by the shipping service; one of its instances does it.</summary>
[Message("shipping.ship-order")]
public sealed record ShipOrder(string OrderId, string Address, IReadOnlyList<OrderLine> Lines);

/// <summary>Request/response: how many of a product inventory has free. Answered by the inventory service.</summary>
[Message("inventory.check-stock")]
public sealed record CheckStock(string Sku, int Quantity) : IRequest<StockLevel>;

/// <summary>The answer to <see cref="CheckStock"/>.</summary>
public sealed record StockLevel(string Sku, int Available, bool Enough);

/// <summary>Scatter-gather: every supplier service answers with its price.</summary>
[Message("suppliers.quote")]
public sealed record RequestQuote(string Sku, int Quantity) : IRequest<SupplierQuote>;

/// <summary>One supplier's answer to <see cref="RequestQuote"/>.</summary>
public sealed record SupplierQuote(string Supplier, string Sku, int Quantity, decimal UnitPrice, int DeliveryDays);
