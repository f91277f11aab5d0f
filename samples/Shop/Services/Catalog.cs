using System.Globalization;

namespace Shop.Services;

/// <summary>The products the shop sells (list prices), shared by the services for the demo.</summary>
public static class Catalog
{
    public static readonly IReadOnlyDictionary<string, (string Name, decimal Price)> Products = new Dictionary<string, (string, decimal)>
    {
        ["KB-01"] = ("keyboard", 49.90m),
        ["LAMP-07"] = ("desk lamp", 24.50m),
        ["MUG-3"] = ("mug", 8.00m),
        ["CBL-2"] = ("USB cable", 6.50m),
    };

    public static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);
}
