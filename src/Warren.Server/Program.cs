using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
var security = new SecurityArguments();
var root = new RootCommand("Warren: an AMQP 0-9-1 message broker for .NET") { port, bind, dataDir, inMemory, diskFree, memory, maxConnections, managementPort, managementBind, prometheusPort, ErrorsCommand.Create() };
security.AddTo(root);
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
    options = security.Apply(parsed, options, out var securityError);
    if (securityError is not null)
    {
        Console.Error.WriteLine(securityError);
        return 2;
    }
    WarrenServer server;
    try
    {
        server = await WarrenServer.StartAsync(options, logging, cancellationToken);
    }
    catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
    {
        // The listener does not say which port: name the ones it binds.
        var ports = string.Join(" or ", new[] { options.EnablePlainListener ? options.Port : -1, options.Tls is null ? -1 : options.TlsPort }.Where(p => p >= 0));
        Console.Error.WriteLine(e.SocketErrorCode == SocketError.AddressAlreadyInUse
            ? $"warren: port {ports} on {address} is already in use (another warren, or a RabbitMQ?): stop it, or choose another port with --port."
            : $"warren: not allowed to listen on port {ports} on {address} (ports below 1024 need privileges): choose another port with --port.");
        return 1;
    }
    catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or System.Net.Sockets.SocketException)
    {
        // A bad option value or an unreadable certificate: one line, not a stack trace.
        Console.Error.WriteLine($"Cannot start: {e.Message}");
        return 2;
    }
    await using var _ = server;
    // SIGHUP reloads the TLS certificate (as nginx and many daemons do) instead of ending the process.
    using var hangUp = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
    {
        signal.Cancel = true;
        if (server.Tls is null) Console.WriteLine("SIGHUP: no TLS configured, nothing to reload.");
        else server.ReloadTls();
    });
    var listeners = new List<string>();
    if (options.EnablePlainListener) listeners.Add($"{server.EndPoint} (AMQP 0-9-1)");
    if (server.TlsEndPoint is { } tlsEndPoint) listeners.Add($"{tlsEndPoint} (AMQPS, TLS 1.2/1.3)");
    Console.WriteLine($"Warren {typeof(WarrenServer).Assembly.GetName().Version?.ToString(3)} listening on {string.Join(" and ", listeners)}; Ctrl+C stops it.");
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
return await CommandLine.InvokeAsync(root, args, new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
