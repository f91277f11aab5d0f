using System.Globalization;
using System.Text.Json;
using Warren.Bench.Reporting;

namespace Warren.Bench.Matrix;

/// <summary>Starts the brokers, runs every case in compare mode, writes the report.</summary>
public static class MatrixRunner
{
    public static async Task RunAsync(MatrixOptions options, CancellationToken cancellationToken)
    {
        static void Log(string line) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
        var started = DateTimeOffset.Now;
        bool built = false;
        async Task<BrokerProcess> StartWarrenAsync()
        {
            var process = await BrokerProcess.StartWarrenAsync(options.RepoRoot, options.WarrenPort, build: !built, Log, cancellationToken);
            built = true;
            return process;
        }
        async Task<BrokerProcess?> StartRabbitMqAsync() => options.WithRabbitMq ? await BrokerProcess.StartRabbitMqAsync(options.RepoRoot, options.RabbitMqPort, Log, cancellationToken) : null;
        var warren = await StartWarrenAsync();
        BrokerProcess? rabbit = null;
        var results = new List<Comparison>();
        var failures = new Dictionary<string, string>();
        try
        {
            rabbit = await StartRabbitMqAsync();
            foreach (var matrixCase in options.Cases)
            {
                try
                {
                    var runsA = new List<Measuring.RunResult>();
                    var runsB = new List<Measuring.RunResult>();
                    for (int i = 0; i < options.Runs; i++)
                    {
                        if (matrixCase.FreshBrokers)
                        {
                            await warren.DisposeAsync();
                            warren = await StartWarrenAsync();
                        }
                        var a = matrixCase.Configure(options.Base) with { Uri = warren.Uri, BrokerName = warren.Name, BrokerPid = warren.Pid };
                        runsA.Add(await RunOnceAsync(a, i));
                        if (rabbit is null) continue;
                        if (matrixCase.FreshBrokers)
                        {
                            await rabbit.DisposeAsync();
                            rabbit = null;
                            rabbit = await StartRabbitMqAsync();
                        }
                        var b = matrixCase.Configure(options.Base) with { Uri = rabbit!.Uri, BrokerName = rabbit.Name, BrokerPid = rabbit.Pid };
                        runsB.Add(await RunOnceAsync(b, i));
                    }
                    var comparison = new Comparison(matrixCase.Name, warren.Name, rabbit?.Name ?? "RabbitMQ", runsA, runsB);
                    results.Add(comparison);
                    Console.WriteLine(TextTable.Render(comparison));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log($"{matrixCase.Name} failed: {e.GetType().Name}: {e.Message}");
                    failures[matrixCase.Name] = $"{e.GetType().Name}: {e.Message}";
                }

                async Task<Measuring.RunResult> RunOnceAsync(BenchSettings settings, int run)
                {
                    var result = await Scenarios.ScenarioRunner.RunAsync(settings, cancellationToken);
                    Log($"run {run + 1}/{options.Runs} {matrixCase.Name} on {settings.BrokerLabel}: {CompareRunner.Summary(result)}");
                    return result;
                }
            }
        }
        finally
        {
            await warren.DisposeAsync();
            if (rabbit is not null) await rabbit.DisposeAsync();
        }

        var docs = Path.Combine(options.RepoRoot, Path.GetDirectoryName(options.Output) ?? "docs");
        var charts = Path.Combine(docs, "bench");
        Directory.CreateDirectory(charts);
        var machine = MachineInfo.Read();
        var report = new MarkdownReport(options, machine, warren, rabbit, results, failures, started, DateTimeOffset.Now);
        foreach (var (file, svg) in report.Charts())
        {
            await File.WriteAllTextAsync(Path.Combine(charts, file), svg, cancellationToken);
        }
        await File.WriteAllTextAsync(Path.Combine(charts, "results.json"), JsonSerializer.Serialize(new { machine, results, failures }, JsonOutput.Options), cancellationToken);
        var output = Path.Combine(options.RepoRoot, options.Output);
        await File.WriteAllTextAsync(output, report.Render(), cancellationToken);
        Log($"wrote {output}, {charts}/*.svg and results.json in {(DateTimeOffset.Now - started).TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} min");
    }
}

/// <summary>The machine the figures come from.</summary>
public sealed record MachineInfo(int Cores, string CpuModel, double MemoryGiB, string Kernel, string Runtime)
{
    public static MachineInfo Read()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        double memory = 0;
        if (File.Exists("/proc/meminfo"))
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null) memory = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576;
        }
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString;
        return new MachineInfo(Environment.ProcessorCount, cpu, memory, kernel, $".NET {Environment.Version}");
    }
}
