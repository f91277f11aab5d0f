using System.Globalization;
using Warren.Bench.Soak;

// warren-soak: runs a Warren broker (a child process of this program, Release build advised) under
// mixed traffic at half its measured peak rate for 30 minutes, prints the broker's RSS, GC heap,
// threads and file descriptors every minute, and ends with a verdict: flat or growing.
//
//   dotnet run -c Release --project bench/Warren.Bench.Soak -- [--minutes 30] [--fraction 0.5] [--peak N] [--peak-seconds 10]
//
// Not part of CI: it takes half an hour.
if (args is ["serve", var dataDirectory]) return await BrokerChild.ServeAsync(dataDirectory);

var minutes = 30;
var fraction = 0.5;
double? givenPeak = null;
var peakSeconds = 8.0;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--minutes": minutes = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--fraction": fraction = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--peak": givenPeak = double.Parse(value, CultureInfo.InvariantCulture); break;
        case "--peak-seconds": peakSeconds = double.Parse(value, CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; options: --minutes N, --fraction F, --peak MSG_PER_S, --peak-seconds S");
            return 2;
    }
}
if (minutes < 1 || fraction is <= 0 or > 1)
{
    Console.Error.WriteLine("--minutes must be at least 1 and --fraction in (0, 1]");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var dataFolder = Directory.CreateTempSubdirectory("warren-soak-").FullName;
var configuration = typeof(Program).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
    .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration;
Console.WriteLine($"warren-soak: {configuration} build, .NET {Environment.Version}, {Environment.ProcessorCount} cores, data folder {dataFolder}");
await using var broker = await BrokerChild.StartAsync(dataFolder, cancel.Token);
Console.WriteLine($"broker pid {broker.Pid} on port {broker.Port}; its warnings go to {broker.LogFile}");

var peak = givenPeak ?? await SoakLoad.MeasurePeakAsync(broker.Uri, peakSeconds, Console.WriteLine, cancel.Token);
var rate = peak * fraction;
Console.WriteLine($"peak {peak:N0} publishes/s of the mix ({(givenPeak is null ? "measured" : "given")}); soak at {rate:N0} publishes/s for {minutes} min");
var start = await broker.SampleAsync(cancel.Token);
Console.WriteLine($"start: RSS {Mib(start.RssBytes)} MiB, GC heap {Mib(start.GcHeapBytes)} MiB, {start.Threads} threads, {start.FileDescriptors} fds");

var counters = new SoakCounters();
using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
var load = new SoakLoad(broker.Uri, rate, counters, line => Console.Error.WriteLine(line)).RunAsync(stopLoad.Token);
var samples = new List<BrokerSample>();
Console.WriteLine("minute  published/s  delivered/s  backlog  confirmed      rpc  consumers±  connections±  errors   RSS MiB  heap MiB  threads  fds");
long lastPublished = 0, lastDelivered = 0;
var clock = System.Diagnostics.Stopwatch.StartNew();
try
{
    for (var minute = 1; minute <= minutes; minute++)
    {
        var due = TimeSpan.FromMinutes(minute) - clock.Elapsed;
        if (due > TimeSpan.Zero) await Task.Delay(due, cancel.Token);
        if (load.IsFaulted) throw new InvalidOperationException("the load failed", load.Exception);
        var sample = await broker.SampleAsync(cancel.Token);
        samples.Add(sample);
        var backlog = await SoakLoad.BacklogAsync(broker.Uri, cancel.Token);
        long published = Interlocked.Read(ref counters.Published), delivered = Interlocked.Read(ref counters.Delivered);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{minute,6}  {(published - lastPublished) / 60.0,11:N0}  {(delivered - lastDelivered) / 60.0,11:N0}  {backlog,7}  {counters.Confirmed,9}  {counters.RoundTrips,7}  {counters.ConsumersChurned,10}  {counters.ConnectionsChurned,12}  {counters.Errors,6}  {Mib(sample.RssBytes),8}  {Mib(sample.GcHeapBytes),8}  {sample.Threads,7}  {sample.FileDescriptors,4}"));
        (lastPublished, lastDelivered) = (published, delivered);
    }
}
catch (OperationCanceledException)
{
    Console.WriteLine("interrupted");
}
await stopLoad.CancelAsync();
await load.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

var trends = Verdict.Judge(samples);
var window = Verdict.Window(samples);
Console.WriteLine($"verdict over the last {window.Count} minutes (least-squares slope × window length against an allowance: RSS and GC heap max(16 MiB, 10 % of their mean), threads 4, fds 8):");
foreach (var trend in trends)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {trend.Name,-17} slope {trend.SlopePerMinute,8:F2} {trend.Unit}/min, trend over the window {trend.Growth,8:F1} {trend.Unit} (allowance {trend.Allowance:F1}): {(trend.Growing ? "GROWING" : "flat")}"));
}
var growing = trends.Any(t => t.Growing);
Console.WriteLine(growing ? "VERDICT: GROWING" : "VERDICT: FLAT");
try
{
    Directory.Delete(dataFolder, recursive: true);
}
catch (IOException)
{
    // A temp folder: best effort.
}
return growing ? 1 : 0;

static string Mib(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture);
