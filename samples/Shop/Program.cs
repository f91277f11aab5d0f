// The Warren shop sample: several services exchanging events, commands, requests and a
// scatter-gather, each service instance in its own IHost with its own Warren bus.
//
//   dotnet run --project samples/Shop                          all services, embedded broker (in-process)
//   dotnet run --project samples/Shop -- --amqp amqp://guest:guest@127.0.0.1:5672/    all services, over AMQP
//   dotnet run --project samples/Shop -- --service shipping --amqp amqp://...         one service per process
//
// WARREN_AMQP=amqp://... does the same as --amqp. See README.md.

using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Shop;
using Shop.Services;

ShopOptions options;
try
{
    options = ShopOptions.Parse(args, Environment.GetEnvironmentVariable("WARREN_AMQP"));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"shop: {e.Message}");
    Console.Error.WriteLine(ShopOptions.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(ShopOptions.Usage);
    return 0;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

var trace = new ShopTrace();
// In-process: one embedded Warren broker (no sockets) shared by every service instance below.
var broker = options.Amqp is null ? new Warren.Broker.Broker() : null;

// One IHost per service instance, exactly as separate processes would have.
var hosts = new List<(ServiceKind Kind, ServiceInstance Instance, IHost Host)>();
foreach (var kind in options.Services)
{
    var count = options.Instances ?? (options.Standalone ? 1 : kind.Instances);
    for (var i = 1; i <= count; i++)
    {
        var label = kind.Name + (options.Standalone ? $"#{Environment.ProcessId}" : "") + (count > 1 ? $"#{i}" : "");
        var instance = new ServiceInstance(kind.Name, label);
        hosts.Add((kind, instance, BuildHost(kind, instance, options, broker, trace)));
    }
}

var transport = options.Amqp is null ? "the embedded Warren broker (in-process transport, no sockets)" : $"AMQP {Redact(options.Amqp)}";
trace.Note($"Warren shop: {hosts.Count} service instance(s) on {transport}");
trace.Note($"  {string.Join("  ", hosts.Select(h => h.Instance.Label))}");
trace.Note("");
trace.Header(hosts.Select(h => h.Instance.Label));

var exitCode = 0;
try
{
    // Everything but the order service first, so that their queues and bindings exist when orders starts talking.
    foreach (var (_, _, host) in hosts.OrderBy(h => h.Kind.Name == "orders")) await host.StartAsync(stop.Token);

    var orders = hosts.FirstOrDefault(h => h.Kind.Name == "orders");
    if (orders.Host is not null)
    {
        var storefront = orders.Host.Services.GetRequiredService<Storefront>();
        var shippingTimeout = options.Amqp is null ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(30);
        var ok = await storefront.RunAsync(options.Orders, shippingTimeout, stop.Token);
        exitCode = ok ? 0 : 1;
    }
    else
    {
        trace.Note($"{string.Join(", ", hosts.Select(h => h.Instance.Label))} running; Ctrl+C (or SIGTERM) stops.");
        await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    exitCode = 130;
}
catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or Warren.Messaging.Transports.Amqp.BrokerUnreachableException)
{
    Console.Error.WriteLine($"shop: cannot reach the broker at {Redact(options.Amqp)}: {e.Message}");
    exitCode = 1;
}
finally
{
    // Graceful: each bus stops consuming, lets in-flight handlers finish, then disconnects.
    await Task.WhenAll(hosts.Select(h => h.Host.StopAsync(CancellationToken.None)));
    foreach (var (_, _, host) in hosts) host.Dispose();
}
trace.Note(exitCode == 0 ? "all services stopped; done." : $"all services stopped; exit code {exitCode}.");
return exitCode;

static IHost BuildHost(ServiceKind kind, ServiceInstance instance, ShopOptions options, Warren.Broker.Broker? broker, ShopTrace trace)
{
    var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = instance.Label });
    builder.Logging
        .AddSimpleConsole(o => o.SingleLine = true)
        .SetMinimumLevel(options.Standalone ? LogLevel.Information : LogLevel.Warning)
        .AddFilter("Microsoft", LogLevel.Warning);
    builder.Services.AddSingleton(trace).AddSingleton(instance);
    kind.Services(builder.Services);
    builder.Services.AddWarren(o =>
    {
        o.ServiceName = ShopServices.Prefix + kind.Name;
        o.EventsExchange = ShopServices.EventsExchange;
        o.RequestsExchange = ShopServices.RequestsExchange;
        o.RequestTimeout = TimeSpan.FromSeconds(5);
        o.ShutdownTimeout = TimeSpan.FromSeconds(5);
        // The one setting that differs between the modes.
        if (options.Amqp is null) o.UseInProcess(broker);
        else o.UseAmqp(options.Amqp);
        kind.Handlers(o);
    });
    return builder.Build();
}

static string Redact(Uri? uri) => uri is null ? "" : new UriBuilder(uri) { Password = string.IsNullOrEmpty(uri.UserInfo) ? "" : "***" }.Uri.ToString();
