using System.Globalization;

namespace Shop;

/// <summary>The command line: which services, which broker, how many instances and orders.</summary>
public sealed record ShopOptions(Uri? Amqp, IReadOnlyList<ServiceKind> Services, bool Standalone, int? Instances, int Orders, bool Help)
{
    public const string Usage = """
        usage: dotnet run --project samples/Shop [-- options]

          (no options)          every service in this process on the embedded broker; runs the demo and exits
          --amqp <uri>          use AMQP (a Warren server or RabbitMQ) instead, e.g. amqp://guest:guest@127.0.0.1:5672/
                                (or set WARREN_AMQP); without --service, every service still runs in this process
          --service <names>     run only these services (comma-separated; needs --amqp): orders, billing, inventory,
                                shipping, supplier-acme, supplier-globex, supplier-initech, suppliers (= the three)
                                orders runs the demo and exits; the others run until Ctrl+C
          --instances <n>       instances of each chosen service in this process (default: shipping 3 in the
                                all-in-one run, otherwise 1)
          --orders <n>          orders to place (default 6)
        """;

    public static ShopOptions Parse(string[] args, string? amqpFromEnvironment)
    {
        Uri? amqp = string.IsNullOrWhiteSpace(amqpFromEnvironment) ? null : ParseUri(amqpFromEnvironment);
        IReadOnlyList<ServiceKind>? services = null;
        int? instances = null;
        var orders = 6;
        var help = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--amqp": amqp = ParseUri(Value(args, ref i)); break;
                case "--service" or "--services": services = ShopServices.Parse(Value(args, ref i)); break;
                case "--instances": instances = Positive(args, ref i); break;
                case "--orders": orders = Positive(args, ref i); break;
                case "-h" or "--help": help = true; break;
                default: throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }
        var standalone = services is not null && services.Count < ShopServices.All.Count;
        if (standalone && amqp is null)
        {
            throw new ArgumentException("--service needs --amqp <uri> (or WARREN_AMQP): the embedded broker lives in one process, so there every service runs together");
        }
        return new ShopOptions(amqp, services ?? ShopServices.All, standalone, instances, orders, help);
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static int Positive(string[] args, ref int i)
    {
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive number, not '{text}'");
    }

    private static Uri ParseUri(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "amqp" or "amqps" ? uri : throw new ArgumentException($"'{text}' is not an amqp:// or amqps:// URI");
}
