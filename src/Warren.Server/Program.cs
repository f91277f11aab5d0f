using System.CommandLine;
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
    var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
    foreach (var (option, flag) in flags)
    {
        if (parsed.GetResult(flag) is not { Implicit: false }) continue;
        given[option.Key] = flag is Option<bool> isSwitch ? (parsed.GetValue(isSwitch) ? "true" : "false") : parsed.GetValue((Option<string>)flag);
    }
    WarrenServerOptions options;
    try
    {
        options = ServerConfiguration.Load(WarrenServerOptions.Default with { DataDirectory = WarrenServerOptions.DefaultDataDirectory },
            parsed.GetValue(config), given);
    }
    catch (ServerConfigurationException e)
    {
        Console.Error.WriteLine($"warren: {e.Message}");
        return 2;
    }
    using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    await using var server = await WarrenServer.StartAsync(options, logging, cancellationToken);
    Console.WriteLine($"Warren {typeof(WarrenServer).Assembly.GetName().Version?.ToString(3)} listening on {server.EndPoint} (AMQP 0-9-1); Ctrl+C stops it.");
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
