using System.CommandLine;

namespace Warren.Bench.Matrix;

/// <summary>The <c>matrix</c> subcommand: start both brokers, compare them on every case, write docs/benchmarks.md.</summary>
public static class MatrixCommand
{
    public static Command Create()
    {
        var duration = new Option<double>("--duration") { Description = "Seconds measured per run", DefaultValueFactory = _ => 5 };
        var warmup = new Option<double>("--warmup") { Description = "Seconds of warm-up per run", DefaultValueFactory = _ => 2 };
        var runs = new Option<int>("--runs") { Description = "Runs per broker per case, alternated", DefaultValueFactory = _ => 3 };
        var messages = new Option<int>("--messages") { Description = "backlog: messages queued then drained", DefaultValueFactory = _ => 200_000 };
        // 500, not 1,000: Debian's RabbitMQ runs under `su rabbitmq`, whose soft limit of 1,024 open
        // files it turns into ~832 sockets; past that it stops accepting and the run cannot finish.
        var connections = new Option<int>("--connections") { Description = "connections: connections opened (RabbitMQ as Debian starts it takes ~830 at most)", DefaultValueFactory = _ => 500 };
        var size = new Option<int>("--size") { Description = "Message body size in bytes", DefaultValueFactory = _ => 64 };
        var cases = new Option<string>("--cases") { Description = $"Comma-separated cases (default all): {string.Join(",", MatrixCase.All.Select(c => c.Name))}" };
        var warrenPort = new Option<int>("--warren-port") { Description = "Loopback port for Warren", DefaultValueFactory = _ => 5690 };
        var rabbitPort = new Option<int>("--rabbitmq-port") { Description = "Loopback port for RabbitMQ", DefaultValueFactory = _ => 5691 };
        var noRabbit = new Option<bool>("--no-rabbitmq") { Description = "Measure Warren alone" };
        var repo = new Option<string?>("--repo") { Description = "The repository root (default: found from the current folder)" };
        var output = new Option<string>("--output") { Description = "The report, relative to the repository root", DefaultValueFactory = _ => "docs/benchmarks.md" };
        var command = new Command("matrix", "Start Warren (Release) and RabbitMQ on loopback ports of their own, compare them on every case, write docs/benchmarks.md with charts")
        {
            duration, warmup, runs, messages, connections, size, cases, warrenPort, rabbitPort, noRabbit, repo, output,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var selected = parsed.GetValue(cases) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;
            var unknown = selected?.Where(n => MatrixCase.All.All(c => c.Name != n)).ToArray() ?? [];
            if (unknown.Length > 0)
            {
                Console.Error.WriteLine($"--cases: unknown {string.Join(", ", unknown)}; known: {string.Join(", ", MatrixCase.All.Select(c => c.Name))}");
                return 2;
            }
            var root = parsed.GetValue(repo) ?? FindRepoRoot();
            if (root is null)
            {
                Console.Error.WriteLine("--repo: run from inside the repository (no Warren.sln above the current folder) or name it.");
                return 2;
            }
            var options = new MatrixOptions(
                BenchSettings.Default with
                {
                    DurationSeconds = parsed.GetValue(duration),
                    WarmupSeconds = parsed.GetValue(warmup),
                    Messages = parsed.GetValue(messages),
                    Connections = parsed.GetValue(connections),
                    MessageSize = parsed.GetValue(size),
                },
                parsed.GetValue(runs),
                MatrixCase.All.Where(c => selected is null || selected.Contains(c.Name)).ToArray(),
                parsed.GetValue(warrenPort),
                parsed.GetValue(rabbitPort),
                !parsed.GetValue(noRabbit),
                root,
                parsed.GetValue(output)!,
                Environment.GetCommandLineArgs());
            options.Base.Validate();
            await MatrixRunner.RunAsync(options, cancellationToken);
            return 0;
        });
        return command;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Warren.sln"))) return dir.FullName;
        }
        return null;
    }
}

/// <summary>What one matrix run does.</summary>
public sealed record MatrixOptions(BenchSettings Base, int Runs, IReadOnlyList<MatrixCase> Cases, int WarrenPort, int RabbitMqPort, bool WithRabbitMq,
    string RepoRoot, string Output, IReadOnlyList<string> CommandLine);
