using System.CommandLine;
using System.Text.Json;
using Warren.Bench;
using Warren.Bench.Matrix;
using Warren.Bench.Reporting;
using Warren.Bench.Scenarios;

var uri = new Option<Uri>("--uri") { Description = "The broker to measure", DefaultValueFactory = _ => BenchSettings.Default.Uri, CustomParser = r => ParseUri(r, r.Tokens[0].Value) };
var scenario = new Option<string>("--scenario") { Description = $"One of: {string.Join(", ", BenchSettings.Scenarios)}", DefaultValueFactory = _ => "transient" };
var duration = new Option<double>("--duration") { Description = "Seconds measured, after the warm-up", DefaultValueFactory = _ => BenchSettings.Default.DurationSeconds };
var warmup = new Option<double>("--warmup") { Description = "Seconds of load before measuring", DefaultValueFactory = _ => BenchSettings.Default.WarmupSeconds };
var size = new Option<int>("--size") { Description = "Message body size in bytes (at least 8: the timestamp)", DefaultValueFactory = _ => BenchSettings.Default.MessageSize };
var producers = new Option<int>("--producers") { Description = "Producers, one connection each", DefaultValueFactory = _ => BenchSettings.Default.Producers };
var consumers = new Option<int?>("--consumers") { Description = "Consumers per queue (default: 4 for competing, 1 otherwise)" };
var prefetch = new Option<ushort>("--prefetch") { Description = "basic.qos prefetch count; consumers ack (multiple) every prefetch/2", DefaultValueFactory = _ => BenchSettings.Default.Prefetch };
var rate = new Option<double>("--rate") { Description = "Fixed publish rate in msg/s over all producers (0: as fast as possible)", DefaultValueFactory = _ => 0 };
var inFlight = new Option<int>("--in-flight") { Description = "rpc: requests outstanding at once", DefaultValueFactory = _ => BenchSettings.Default.InFlight };
var confirmWindow = new Option<int>("--confirm-window") { Description = "persistent: unconfirmed publishes at most", DefaultValueFactory = _ => BenchSettings.Default.ConfirmWindow };
var messages = new Option<int>("--messages") { Description = "backlog: messages queued then drained", DefaultValueFactory = _ => BenchSettings.Default.Messages };
var connections = new Option<int>("--connections") { Description = "connections: connections opened", DefaultValueFactory = _ => BenchSettings.Default.Connections };
var brokerPid = new Option<int?>("--broker-pid") { Description = "The broker's pid (A's in compare mode): its CPU and memory from /proc" };
var lean = new Option<bool>("--lean") { Description = "transient, fanout, competing: a lean client (raw socket, Warren's codec) instead of RabbitMQ.Client, so that the broker rather than the client is the bound" };
var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
var compare = new Option<Uri[]?>("--compare")
{
    Description = "Two URIs, A and B: run the scenario alternately against each",
    Arity = new ArgumentArity(2, 2),
    AllowMultipleArgumentsPerToken = true,
    CustomParser = r => r.Tokens.Select(t => ParseUri(r, t.Value)).ToArray(),
};
var brokerPidB = new Option<int?>("--broker-pid-b") { Description = "compare mode: B's pid" };
var names = new Option<string[]>("--names") { Description = "compare mode: names of A and B for the table", Arity = new ArgumentArity(2, 2), AllowMultipleArgumentsPerToken = true };
var runs = new Option<int>("--runs") { Description = "compare mode: runs per broker; library: rounds (in-process, library over AMQP, raw over AMQP)", DefaultValueFactory = _ => 5 };

var root = new RootCommand("warren-bench: measures any AMQP 0-9-1 broker the same way (RabbitMQ.Client)")
{
    uri, scenario, duration, warmup, size, producers, consumers, prefetch, rate, inFlight, confirmWindow, messages, connections,
    brokerPid, lean, json, compare, brokerPidB, names, runs,
};

BenchSettings Settings(ParseResult parsed) => new()
{
    Uri = parsed.GetValue(uri)!,
    Scenario = parsed.GetValue(scenario)!,
    DurationSeconds = parsed.GetValue(duration),
    WarmupSeconds = parsed.GetValue(warmup),
    MessageSize = parsed.GetValue(size),
    Producers = parsed.GetValue(producers),
    Consumers = parsed.GetValue(consumers),
    Prefetch = parsed.GetValue(prefetch),
    Rate = parsed.GetValue(rate),
    InFlight = parsed.GetValue(inFlight),
    ConfirmWindow = parsed.GetValue(confirmWindow),
    Messages = parsed.GetValue(messages),
    Connections = parsed.GetValue(connections),
    BrokerPid = parsed.GetValue(brokerPid),
    Lean = parsed.GetValue(lean),
};

root.SetAction(async (parsed, cancellationToken) =>
{
    BenchSettings settings;
    try
    {
        settings = Settings(parsed);
        settings.Validate();
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }

    bool asJson = parsed.GetValue(json);
    if (settings.Scenario == "library")
    {
        // The library's own defaults unless given: 4 publishes outstanding (so confirms batch), prefetch 32.
        if (parsed.GetResult(producers) is null or { Implicit: true }) settings = settings with { Producers = LibraryScenario.DefaultProducers };
        if (parsed.GetResult(prefetch) is null or { Implicit: true }) settings = settings with { Prefetch = LibraryScenario.LibraryPrefetch };
        var rounds = await LibraryScenario.RunRoundsAsync(settings, parsed.GetValue(runs), asJson ? null : Console.WriteLine, cancellationToken);
        Console.WriteLine(asJson ? JsonSerializer.Serialize(rounds, JsonOutput.Options) : LibraryScenario.Render(rounds));
        return 0;
    }
    if (parsed.GetValue(compare) is { Length: 2 } pair)
    {
        var label = parsed.GetValue(names) is { Length: 2 } given ? given : [$"{pair[0].Host}:{pair[0].Port}", $"{pair[1].Host}:{pair[1].Port}"];
        var a = settings with { Uri = pair[0], BrokerName = label[0] };
        var b = settings with { Uri = pair[1], BrokerName = label[1], BrokerPid = parsed.GetValue(brokerPidB) };
        var comparison = await CompareRunner.RunAsync(settings.Scenario, a, b, parsed.GetValue(runs), asJson ? null : Console.WriteLine, cancellationToken);
        Console.WriteLine(asJson ? JsonSerializer.Serialize(comparison, JsonOutput.Options) : TextTable.Render(comparison));
        return 0;
    }

    var result = await ScenarioRunner.RunAsync(settings, cancellationToken);
    Console.WriteLine(asJson ? JsonSerializer.Serialize(result, JsonOutput.Options) : TextTable.Render(result));
    return 0;
});

root.Subcommands.Add(MatrixCommand.Create());
return await root.Parse(args).InvokeAsync();

static Uri ParseUri(System.CommandLine.Parsing.ArgumentResult result, string text)
{
    if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "amqp" or "amqps") return parsed;
    result.AddError($"'{text}' is not an AMQP URI (amqp://user:password@host:port/vhost)");
    return BenchSettings.Default.Uri;
}
