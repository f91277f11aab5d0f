using System.Globalization;
using System.Text;
using Warren.Bench.Reporting;

namespace Warren.Bench.Matrix;

/// <summary>docs/benchmarks.md and its charts, from one matrix run.</summary>
public sealed class MarkdownReport(MatrixOptions options, MachineInfo machine, BrokerProcess warren, BrokerProcess? rabbit,
    IReadOnlyList<Comparison> results, IReadOnlyDictionary<string, string> failures, DateTimeOffset started, DateTimeOffset finished)
{
    private const string Project = "bench/Warren.Bench";
    private string NameB => rabbit?.Name ?? "RabbitMQ";

    // The assembly version is pinned at 7.0.0 for binding; the informational one is the package's.
    private static string ClientVersion =>
        (typeof(RabbitMQ.Client.IChannel).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .FirstOrDefault() as System.Reflection.AssemblyInformationalVersionAttribute)?.InformationalVersion.Split('+')[0] ?? "?";

    public IEnumerable<(string File, string Svg)> Charts()
    {
        string[] series = [warren.Name, NameB];
        var throughput = new SvgBarChart("Throughput (higher is better)", series) { Caption = "Medians of alternated runs; each row is scaled to its larger bar." };
        AddRow(throughput, "transient", "delivered_per_s", "transient delivered", "msg/s");
        AddRow(throughput, "transient-lean", "delivered_per_s", "transient, lean client", "msg/s");
        AddRow(throughput, "fanout", "delivered_per_s", "fanout deliveries (4 queues)", "msg/s");
        AddRow(throughput, "fanout-lean", "delivered_per_s", "fanout, lean client", "msg/s");
        AddRow(throughput, "competing", "delivered_per_s", "competing (4 consumers)", "msg/s");
        AddRow(throughput, "persistent", "confirmed_per_s", "persistent confirmed", "msg/s");
        AddRow(throughput, "rpc-1", "round_trips_per_s", "rpc, 1 in flight", "rt/s");
        AddRow(throughput, "rpc-16", "round_trips_per_s", "rpc, 16 in flight", "rt/s");
        AddRow(throughput, "backlog", "publish_per_s", "backlog publish", "msg/s");
        AddRow(throughput, "backlog", "drain_per_s", "backlog drain", "msg/s");
        yield return ("throughput.svg", throughput.Render());

        var latency = new SvgBarChart("Latency (lower is better)", series) { Caption = "Medians of alternated runs, microseconds; each row is scaled to its larger bar." };
        AddRow(latency, "transient-5k", "latency_p50_us", "transient @5k/s p50", "µs");
        AddRow(latency, "transient-5k", "latency_p99_us", "transient @5k/s p99", "µs");
        AddRow(latency, "rpc-1", "rtt_p50_us", "rpc-1 round trip p50", "µs");
        AddRow(latency, "rpc-1", "rtt_p99_us", "rpc-1 round trip p99", "µs");
        AddRow(latency, "rpc-16", "rtt_p50_us", "rpc-16 round trip p50", "µs");
        AddRow(latency, "rpc-16", "rtt_p99_us", "rpc-16 round trip p99", "µs");
        AddRow(latency, "connections", "connect_p99_us", "connection open p99", "µs");
        yield return ("latency.svg", latency.Render());

        var cpu = new SvgBarChart("Broker CPU seconds per million messages (lower is better)", series) { Caption = "CPU (user + system) of the broker process over the measured window, per million deliveries." };
        foreach (var c in options.Cases.Where(c => c.Name != "connections"))
            AddRow(cpu, c.Name, "broker_cpu_s_per_m", c.Name, "s");
        yield return ("cpu.svg", cpu.Render());

        var memory = new SvgBarChart("Broker memory (lower is better)", series) { Caption = "Resident memory growth (VmRSS) divided by the messages queued or connections opened." };
        AddRow(memory, "backlog", "bytes_per_queued_msg", $"per queued {options.Base.MessageSize} B message", "B");
        AddRow(memory, "connections", "kb_per_connection", "per idle connection", "KiB");
        yield return ("memory.svg", memory.Render());
    }

    public string Render()
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmarks: Warren and RabbitMQ side by side").AppendLine();
        md.AppendLine($"Measured by `{Project}` (RabbitMQ.Client {ClientVersion}), which drives any AMQP 0-9-1 broker the same way. ");
        md.AppendLine($"Each case ran {options.Runs} times per broker, alternating {warren.Name}, {NameB}, {warren.Name}, … so that a machine that changes speed during the matrix affects both alike; ");
        md.AppendLine($"each run measured {Num(options.Base.DurationSeconds)} s after a {Num(options.Base.WarmupSeconds)} s warm-up. The tables show medians, and the ratio of the medians {warren.Name} / {NameB}.");
        md.AppendLine($"Run {started:yyyy-MM-dd HH:mm} – {finished:HH:mm} (local time).").AppendLine();
        md.AppendLine("> The load generator runs on the same machine as the broker and competes with it for the cores: where the client");
        md.AppendLine("> spends more CPU than the broker, the figure is the client's limit, not the broker's (see *client-bound* notes).");
        md.AppendLine("> On a small shared machine the figures are noisy; the ratios of alternated runs are what to read.").AppendLine();

        md.AppendLine("## Machine and versions").AppendLine();
        md.AppendLine($"- {machine.Cores} cores, {machine.CpuModel}, {machine.MemoryGiB:F1} GiB memory, Linux {machine.Kernel}");
        md.AppendLine($"- {warren.Version}, on port {warren.Port}");
        md.AppendLine(rabbit is null ? "- RabbitMQ: not installed, not measured" : $"- {rabbit.Version}, on port {rabbit.Port}, default configuration");
        md.AppendLine($"- client: {Project} on {machine.Runtime}, RabbitMQ.Client {ClientVersion}");
        md.AppendLine();

        md.AppendLine("## Summary").AppendLine();
        md.AppendLine($"| case | figure | {warren.Name} | {NameB} | {warren.Name} / {NameB} | target |");
        md.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var c in options.Cases)
        {
            var comparison = Find(c.Name);
            if (comparison is null)
            {
                md.AppendLine($"| {c.Name} | failed: {Escape(failures.GetValueOrDefault(c.Name, "not run"))} | | | | |");
                continue;
            }
            foreach (var key in c.Highlights)
            {
                var metric = comparison.Keys.FirstOrDefault(m => m.Key == key);
                if (metric is null) continue;
                double ratio = comparison.Ratio(key);
                var target = Target.All.FirstOrDefault(t => t.Case == c.Name && t.Metric == key);
                string goal = target is null || double.IsNaN(ratio) ? "" : $"{target.Goal} {(target.IsMet(ratio) ? "✅" : "❌")}";
                md.AppendLine($"| {c.Name} | {metric.Label} ({Unit(metric)}) {(metric.HigherIsBetter ? "↑" : "↓")} | {TextTable.Format(comparison.MedianA(key))} | {TextTable.Format(comparison.MedianB(key))} | {Ratio(ratio)} | {goal} |");
            }
        }
        md.AppendLine().AppendLine("↑ higher is better, ↓ lower is better. Targets are issue 4's goals for the ratio.").AppendLine();

        md.AppendLine("## Charts").AppendLine();
        foreach (var (file, _) in Charts()) md.AppendLine($"![{file}](bench/{file})").AppendLine();

        md.AppendLine("## Every figure").AppendLine();
        foreach (var c in options.Cases)
        {
            var comparison = Find(c.Name);
            md.AppendLine($"### {c.Name}").AppendLine().AppendLine(c.Description + "."
                + (c.FreshBrokers ? " Both brokers were restarted before each run, so that memory growth is this run's own." : "")).AppendLine();
            if (comparison is null)
            {
                md.AppendLine($"Failed: {failures.GetValueOrDefault(c.Name, "not run")}").AppendLine();
                continue;
            }
            md.AppendLine($"| figure | {warren.Name} | {NameB} | ratio | {warren.Name} runs | {NameB} runs |");
            md.AppendLine("|---|---:|---:|---:|---|---|");
            foreach (var m in comparison.Keys)
            {
                md.AppendLine($"| {m.Label} ({Unit(m)}) {(m.HigherIsBetter ? "↑" : "↓")} | {TextTable.Format(comparison.MedianA(m.Key))} | {TextTable.Format(comparison.MedianB(m.Key))} | {Ratio(comparison.Ratio(m.Key))} | "
                    + $"{string.Join(" ", comparison.RunsA.Select(r => TextTable.Format(r.Get(m.Key))))} | {string.Join(" ", comparison.RunsB.Select(r => TextTable.Format(r.Get(m.Key))))} |");
            }
            md.AppendLine();
            foreach (var line in Notes(comparison.RunsA)) md.AppendLine($"- {warren.Name}: {line}");
            foreach (var line in Notes(comparison.RunsB)) md.AppendLine($"- {NameB}: {line}");
            md.AppendLine();
        }

        md.AppendLine("## Where the client was the bound").AppendLine();
        md.AppendLine("A run is *client-bound* when the load generator used more CPU than the broker (and over half a core): on this");
        md.AppendLine("machine the two share the cores, so the broker could have gone faster with a cheaper client. Cases where most runs were:").AppendLine();
        foreach (var comparison in results)
        {
            foreach (var (name, runs) in new[] { (warren.Name, comparison.RunsA), (NameB, comparison.RunsB) })
            {
                int bound = runs.Count(r => r.Notes.Any(IsClientBound));
                if (runs.Count > 0 && bound * 2 > runs.Count)
                    md.AppendLine($"- {comparison.Case} on {name}: {bound} of {runs.Count} runs; client CPU {TextTable.Format(Comparison.Median(runs.Select(r => r.Get("client_cpu_pct"))))} % of a core, broker {TextTable.Format(Comparison.Median(runs.Select(r => r.Get("broker_cpu_pct"))))} % (medians)");
            }
        }
        md.AppendLine();

        md.AppendLine("## How to reproduce").AppendLine();
        md.AppendLine("The whole matrix (builds Warren in Release, starts it and Debian's RabbitMQ on loopback ports of their own, writes this page):").AppendLine();
        md.AppendLine("```sh");
        md.AppendLine($"dotnet run -c Release --project {Project} -- {string.Join(' ', options.CommandLine.Skip(1))}".TrimEnd());
        md.AppendLine("# or: bench/run-matrix.sh [--duration 10 --runs 5 --messages 1000000 ...]");
        md.AppendLine("```").AppendLine();
        md.AppendLine("One case by hand against two running brokers (pids for their CPU and memory):").AppendLine();
        md.AppendLine("```sh");
        foreach (var c in options.Cases)
        {
            var s = c.Configure(options.Base);
            md.AppendLine($"dotnet run -c Release --project {Project} -- {Arguments(s)} --compare {warren.Uri} {rabbit?.Uri.ToString() ?? "amqp://guest:guest@127.0.0.1:5691/"} "
                + $"--names {warren.Name} {NameB} --runs {options.Runs} --broker-pid WARREN_PID --broker-pid-b RABBITMQ_PID");
        }
        md.AppendLine("```").AppendLine();
        md.AppendLine("Raw results of every run: [bench/results.json](bench/results.json). Micro-benchmarks of the codec, routing and queues: `dotnet run -c Release --project bench/Warren.Bench.Micro -- --filter '*'`.");
        return md.ToString();
    }

    /// <summary>The options that differ from the tool's defaults, as a command line.</summary>
    private static string Arguments(BenchSettings s)
    {
        var d = BenchSettings.Default;
        var args = new List<string> { $"--scenario {s.Scenario}", $"--duration {Num(s.DurationSeconds)}", $"--warmup {Num(s.WarmupSeconds)}" };
        if (s.MessageSize != d.MessageSize) args.Add($"--size {s.MessageSize}");
        if (s.Rate != d.Rate) args.Add($"--rate {Num(s.Rate)}");
        if (s.Lean) args.Add("--lean");
        if (s.Scenario == "rpc") args.Add($"--in-flight {s.InFlight}");
        if (s.Scenario == "backlog") args.Add($"--messages {s.Messages}");
        if (s.Scenario == "connections") args.Add($"--connections {s.Connections}");
        return string.Join(' ', args);
    }

    private static bool IsClientBound(string note) => note.StartsWith("client-bound", StringComparison.Ordinal);

    /// <summary>The notes of a side's runs, client-bound ones folded into one line.</summary>
    private static IEnumerable<string> Notes(IReadOnlyList<Measuring.RunResult> runs)
    {
        int bound = runs.Count(r => r.Notes.Any(IsClientBound));
        if (bound > 0) yield return $"client-bound in {bound} of {runs.Count} runs (client CPU above the broker's)";
        foreach (var note in runs.SelectMany(r => r.Notes).Where(n => !IsClientBound(n)).Distinct()) yield return note;
    }

    private void AddRow(SvgBarChart chart, string caseName, string key, string label, string unit)
    {
        var comparison = Find(caseName);
        if (comparison is null || comparison.Keys.All(m => m.Key != key)) return;
        chart.Add(label, unit, comparison.MedianA(key), comparison.MedianB(key));
    }

    private Comparison? Find(string caseName) => results.FirstOrDefault(r => r.Case == caseName);

    private static string Unit(Measuring.Metric m) => m.Unit.Length == 0 ? "ratio" : m.Unit;

    private static string Ratio(double ratio) => double.IsNaN(ratio) ? "-" : ratio.ToString("F2", CultureInfo.InvariantCulture) + "×";

    private static string Num(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
