using Shop.Contracts;
using Warren.Messaging;

namespace Shop.Services;

/// <summary>One supplier's terms: a price factor on the list price, how fast it answers, how fast it delivers.</summary>
public sealed record SupplierProfile(string Name, decimal PriceFactor, TimeSpan AnswerTime, int DeliveryDays);

/// <summary>
/// A supplier service answers quote requests. The same class runs as three services
/// (shop.supplier-acme, -globex, -initech), each with its own queue, so a gathered request
/// reaches each of them once.
/// </summary>
public sealed class QuoteHandler(SupplierProfile profile, ShopTrace trace, ServiceInstance me) : IHandleRequest<RequestQuote, SupplierQuote>
{
    public async Task<SupplierQuote> HandleAsync(RequestQuote request, MessageContext context)
    {
        await Task.Delay(profile.AnswerTime, context.CancellationToken);   // suppliers answer at their own pace
        var listPrice = Catalog.Products.TryGetValue(request.Sku, out var product) ? product.Price : 10m;
        var unitPrice = Math.Round(listPrice * 0.6m * profile.PriceFactor, 2);
        trace.Handled(me, "answers", context, $"{request.Sku} x{request.Quantity}: {Catalog.Money(unitPrice)} each");
        return new SupplierQuote(profile.Name, request.Sku, request.Quantity, unitPrice, profile.DeliveryDays);
    }
}
