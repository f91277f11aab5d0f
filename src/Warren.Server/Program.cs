using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Warren.Server;
using Warren.Server.Cli;
using Warren.Server.Configuration;

// Every setting comes from ServerOptions.All: a flag here, a key in --config, WARREN__KEY in the environment.
var config = new Option<string>("--config") { Description = "A JSON file of settings (keys as the flags in PascalCase: Port, DataDir, …); the environment and flags override it" };
var flags = ServerOptions.All.ToDictionary(o => o,
    o => o.IsSwitch ? (Option)new Option<bool>(o.Flag) { Description = o.Description } : new Option<string>(o.Flag) { Description = o.Description });
var root = new RootCommand("Warren: an AMQP 0-9-1 message broker for .NET") { config, ErrorsCommand.Create() };
foreach (var flag in flags.Values) root.Options.Add(flag);
root.SetAction(async (parsed, cancellationToken) =>
{
    // Ctrl+C and SIGTERM stop the server gracefully (connections told 320, data folder flushed) and
    // the process exits 0. System.CommandLine's own termination handling raced the action and
    // sometimes ended the process with 143 instead.
    using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    void Stop(PosixSignalContext signal)
    {
        signal.Cancel = true;
        stopping.Cancel();
    }
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    cancellationToken = stopping.Token;
    var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
    foreach (var (option, flag) in flags)
    {
        if (parsed.GetResult(flag) is not { Implicit: false }) continue;
        given[option.Key] = flag is Option<bool> isSwitch ? (parsed.GetValue(isSwitch) ? "true" : "false") : parsed.GetValue((Option<string>)flag);
    }
    WarrenServerOptions options;
    try
    {
        options = ServerConfiguration.Load(WarrenServerOptions.Default with { DataDirectory = WarrenServerOptions.DefaultDataDirectory, ManagementPort = 15672, PrometheusPort = 15692 },
            parsed.GetValue(config), given);
    }
    catch (ServerConfigurationException e)
    {
        Console.Error.WriteLine($"warren: {e.Message}");
        return 2;
    }
    // The web host's own start-up failure log is a stack trace; the failure is reported below in one line.
    using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None));
    // "--port 0" with TLS configured: AMQPS only (without TLS it still means any free port).
    if (options.Tls is not null && options.Port == 0) options = options with { EnablePlainListener = false };
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
            ? $"warren: port {ports} on {options.BindAddress} is already in use (another warren, or a RabbitMQ?): stop it, or choose another port with --port."
            : $"warren: not allowed to listen on port {ports} on {options.BindAddress} (ports below 1024 need privileges): choose another port with --port.");
        return 1;
    }
    catch (IOException e) when (IsAddressInUse(e))
    {
        // Kestrel names the address it could not bind: say which option moves it.
        var which = options.ManagementPort is { } apiPort && e.Message.Contains($":{apiPort}", StringComparison.Ordinal)
            ? $"the management port {apiPort}: choose another with --management-port"
            : $"the Prometheus port {options.PrometheusPort}: choose another with --prometheus-port";
        Console.Error.WriteLine($"warren: {which} (0 turns it off); it is already in use on {options.ManagementBindAddress ?? options.BindAddress} (another warren, or a RabbitMQ?).");
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
return await CommandLine.InvokeAsync(root, args, new InvocationConfiguration { ProcessTerminationTimeout = null });

static bool IsAddressInUse(Exception? e)
{
    for (; e is not null; e = e.InnerException)
    {
        if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }) return true;
    }
    return false;
}
