using System.CommandLine;
using System.Net;
using Microsoft.Extensions.Logging;
using Warren.Server;
using Warren.Server.Cli;

var port = new Option<int>("--port") { Description = "TCP port for AMQP clients (0: any free port)", DefaultValueFactory = _ => 5672 };
var bind = new Option<string>("--bind") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
var dataDir = new Option<string>("--data-dir") { Description = "Folder for durable definitions and persistent messages", DefaultValueFactory = _ => WarrenServerOptions.DefaultDataDirectory };
var inMemory = new Option<bool>("--in-memory") { Description = "Keep everything in memory; nothing survives a restart" };
var diskFree = new Option<long>("--disk-free-limit") { Description = "Block publishers below this many free bytes on the data disk", DefaultValueFactory = _ => WarrenServerOptions.Default.DiskFreeLimit };
var memory = new Option<double>("--memory-high-watermark") { Description = "Block publishers above this fraction of the machine's memory", DefaultValueFactory = _ => WarrenServerOptions.Default.MemoryHighWatermark };
var maxConnections = new Option<int>("--max-connections") { Description = "Refuse connections beyond this many", DefaultValueFactory = _ => int.MaxValue };
var managementPort = new Option<int>("--management-port") { Description = "Port of the management HTTP API (0: off)", DefaultValueFactory = _ => 15672 };
var managementBind = new Option<string?>("--management-bind") { Description = "Address of the management HTTP API and the Prometheus endpoint (default: --bind)" };
var prometheusPort = new Option<int>("--prometheus-port") { Description = "Port of the Prometheus metrics endpoint (0: off)", DefaultValueFactory = _ => 15692 };
var root = new RootCommand("Warren: an AMQP 0-9-1 message broker for .NET") { port, bind, dataDir, inMemory, diskFree, memory, maxConnections, managementPort, managementBind, prometheusPort, ErrorsCommand.Create() };
root.SetAction(async (parsed, cancellationToken) =>
{
    if (!IPAddress.TryParse(parsed.GetValue(bind), out var address))
    {
        Console.Error.WriteLine($"--bind: '{parsed.GetValue(bind)}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1).");
        return 2;
    }
    IPAddress? managementAddress = null;
    if (parsed.GetValue(managementBind) is { } managementText && !IPAddress.TryParse(managementText, out managementAddress))
    {
        Console.Error.WriteLine($"--management-bind: '{managementText}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1).");
        return 2;
    }
    using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    var options = WarrenServerOptions.Default with
    {
        BindAddress = address,
        Port = parsed.GetValue(port),
        DataDirectory = parsed.GetValue(inMemory) ? null : Path.GetFullPath(parsed.GetValue(dataDir)!),
        DiskFreeLimit = parsed.GetValue(diskFree),
        MemoryHighWatermark = parsed.GetValue(memory),
        Amqp = WarrenServerOptions.Default.Amqp with { MaxConnections = parsed.GetValue(maxConnections) },
        // On the command line 0 turns an HTTP listener off (an embedded server uses null for that).
        ManagementPort = parsed.GetValue(managementPort) is var m and not 0 ? m : null,
        ManagementBindAddress = managementAddress,
        PrometheusPort = parsed.GetValue(prometheusPort) is var p and not 0 ? p : null,
    };
    await using var server = await WarrenServer.StartAsync(options, logging, cancellationToken);
    Console.WriteLine($"Warren {typeof(WarrenServer).Assembly.GetName().Version?.ToString(3)} listening on {server.EndPoint} (AMQP 0-9-1); Ctrl+C stops it.");
    if (server.ManagementEndPoint is { } api) Console.WriteLine($"Management API on http://{api}/");
    if (server.PrometheusEndPoint is { } metrics) Console.WriteLine($"Prometheus metrics on http://{metrics}/metrics");
    Console.WriteLine(options.DataDirectory is null ? "Data: in memory only" : $"Data: {options.DataDirectory}");
    try
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("Stopping.");
    }
    return 0;
});
// Ctrl+C and SIGTERM cancel the action so the server closes connections and flushes its data folder.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
