using Microsoft.Extensions.DependencyInjection;
using Shop.Services;
using Warren.Messaging.Configuration;

namespace Shop;

/// <summary>A kind of service: its name, how many instances the all-in-one run starts, its handlers and its own objects.</summary>
public sealed record ServiceKind(string Name, int Instances, Action<WarrenOptions> Handlers, Action<IServiceCollection> Services);

/// <summary>The shop's services. Each instance gets its own IHost and its own Warren bus.</summary>
public static class ShopServices
{
    /// <summary>
    /// Broker names are prefixed (service <c>billing</c> → queue <c>shop.billing</c>) and the
    /// sample uses its own exchanges, so it can share a broker with other applications.
    /// </summary>
    public const string Prefix = "shop.";

    public const string EventsExchange = "shop.events";
    public const string RequestsExchange = "shop.requests";

    public static readonly IReadOnlyList<ServiceKind> All =
    [
        new("orders", 1, o => o.AddHandler<OrderShippedHandler>(), s => s.AddSingleton<OrderTracker>().AddSingleton<Storefront>()),
        new("billing", 1, o => o.AddHandler<BillOrderHandler>(), s => s.AddSingleton<Invoices>()),
        new("inventory", 1, o => o.AddHandler<ReserveStockHandler>().AddHandler<CheckStockHandler>(), s => s.AddSingleton<StockBook>()),
        new("shipping", 3, o => o.AddHandler<ShipOrderHandler>().ConfigureEndpoint("shipping.ship-order", prefetch: 1, concurrency: 1), _ => { }),
        Supplier(new SupplierProfile("acme", 1.00m, TimeSpan.FromMilliseconds(120), 5)),
        Supplier(new SupplierProfile("globex", 0.93m, TimeSpan.FromMilliseconds(300), 9)),
        Supplier(new SupplierProfile("initech", 0.97m, TimeSpan.FromMilliseconds(40), 3)),
    ];

    private static ServiceKind Supplier(SupplierProfile profile) =>
        new("supplier-" + profile.Name, 1, o => o.AddHandler<QuoteHandler>(), s => s.AddSingleton(profile));

    /// <summary>Resolves a comma-separated list of names; <c>suppliers</c> means the three supplier services.</summary>
    public static IReadOnlyList<ServiceKind> Parse(string names)
    {
        var chosen = new List<ServiceKind>();
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var matches = name is "all" ? All
                : name is "suppliers" ? All.Where(k => k.Name.StartsWith("supplier-", StringComparison.Ordinal)).ToList()
                : All.Where(k => k.Name == name || k.Name == "supplier-" + name).ToList();
            if (matches.Count == 0) throw new ArgumentException($"unknown service '{name}' (known: {string.Join(", ", All.Select(k => k.Name))}, suppliers, all)");
            foreach (var kind in matches) if (!chosen.Contains(kind)) chosen.Add(kind);
        }
        return chosen;
    }

    /// <summary>A sender's service name as the trace shows it (<c>shop.billing</c> → <c>billing</c>).</summary>
    public static string Display(string? serviceName) =>
        serviceName is null ? "?" : serviceName.StartsWith(Prefix, StringComparison.Ordinal) ? serviceName[Prefix.Length..] : serviceName;
}
