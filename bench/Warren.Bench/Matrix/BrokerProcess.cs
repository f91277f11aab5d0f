using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Warren.Bench.Matrix;

/// <summary>A broker the matrix started on a loopback port of its own, and how to stop it.</summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private readonly Func<Task> _stop;
    private bool _stopped;

    private BrokerProcess(string name, int port, int pid, string version, Func<Task> stop)
    {
        Name = name;
        Port = port;
        Pid = pid;
        Version = version;
        _stop = stop;
    }

    public string Name { get; }
    public int Port { get; }
    public int Pid { get; }
    public string Version { get; }
    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Builds Warren in Release and starts the built server (not `dotnet run`: its pid would be the SDK's).</summary>
    public static async Task<BrokerProcess> StartWarrenAsync(string repoRoot, int port, bool build, Action<string> log, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repoRoot, "src", "Warren.Server", "Warren.Server.csproj");
        if (build)
        {
            log($"building {project} (Release)");
            var (code, output) = await RunAsync("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q", project], cancellationToken);
            if (code != 0) throw new InvalidOperationException($"dotnet build failed:\n{output}");
        }
        var dll = Path.Combine(repoRoot, "src", "Warren.Server", "bin", "Release", "net10.0", "warren.dll");
        var logFile = Path.Combine(Path.GetTempPath(), $"warren-bench-{port}.log");
        await EnsurePortFreeAsync(port, cancellationToken);
        // exec: the shell becomes the server, so this pid is the broker's own.
        // A fresh data folder per start: persistent runs write to disk like RabbitMQ's, and no run recovers another's leftovers.
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"warren-bench-data-{port}-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("/bin/sh", ["-c", $"exec dotnet '{dll}' --port {port} --data-dir '{dataDirectory}' --management-port 0 --prometheus-port 0 >'{logFile}' 2>&1"]) { UseShellExecute = false };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start Warren");
        await WaitForPortAsync(port, TimeSpan.FromSeconds(60), cancellationToken);
        string version = (await RunAsync("git", ["-C", repoRoot, "describe", "--always", "--dirty"], cancellationToken)).Output.Trim();
        log($"Warren ({version}) pid {process.Id} on port {port}, log {logFile}");
        return new BrokerProcess("Warren", port, process.Id, $"Warren {version} (Release build, {Environment.Version} runtime)", async () =>
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is a temp folder.
            }
            process.Dispose();
        });
    }

    /// <summary>Starts Debian's RabbitMQ with the shared script; null when it is not installed.</summary>
    public static async Task<BrokerProcess?> StartRabbitMqAsync(string repoRoot, int port, Action<string> log, CancellationToken cancellationToken)
    {
        if (!File.Exists("/usr/sbin/rabbitmq-server") && !File.Exists("/usr/lib/rabbitmq/bin/rabbitmq-server"))
        {
            log("RabbitMQ is not installed (apt-get install rabbitmq-server): Warren runs alone");
            return null;
        }
        string[] candidates = [Path.Combine(repoRoot, "..", "shared", "scripts", "rabbitmq.sh"), "/work/shared/scripts/rabbitmq.sh", Path.Combine(repoRoot, ".ci", "rabbitmq.sh")];
        var script = candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("rabbitmq.sh not found");
        await EnsurePortFreeAsync(port, cancellationToken);
        log($"starting RabbitMQ on port {port} with {script}");
        var (code, output) = await RunAsync("bash", [script, "start", port.ToString(CultureInfo.InvariantCulture)], cancellationToken);
        if (code != 0) throw new InvalidOperationException($"RabbitMQ did not start:\n{output}");
        int pid = FindBeamPid(port) ?? throw new InvalidOperationException($"no beam.smp process with RABBITMQ_NODE_PORT={port}");
        var (_, rabbitVersion) = await RunAsync("dpkg-query", ["-W", "-f=${Version}", "rabbitmq-server"], cancellationToken);
        var (_, erlangVersion) = await RunAsync("dpkg-query", ["-W", "-f=${Version}", "erlang-base"], cancellationToken);
        log($"RabbitMQ {rabbitVersion} pid {pid} on port {port}");
        return new BrokerProcess("RabbitMQ", port, pid, $"RabbitMQ {rabbitVersion.Trim()} (Debian package, Erlang {erlangVersion.Trim()})", async () =>
        {
            await RunAsync("bash", [script, "stop", port.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _stop();
    }

    /// <summary>
    /// The Erlang VM of the node on <paramref name="port"/>. Its command line does not name the
    /// node (the start script passes it in the environment), so the environment is what identifies it.
    /// </summary>
    public static int? FindBeamPid(int port)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "beam.smp") continue;
                var environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains($"RABBITMQ_NODE_PORT={port}")) return pid;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A process that ended meanwhile, or one we may not read.
            }
        }
        return null;
    }

    /// <summary>Runs a command to completion; its exit code and combined output.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task EnsurePortFreeAsync(int port, CancellationToken cancellationToken)
    {
        if (await IsListeningAsync(port, cancellationToken))
            throw new InvalidOperationException($"something already listens on 127.0.0.1:{port}; choose another port");
    }

    private static async Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (!await IsListeningAsync(port, cancellationToken))
        {
            if (Stopwatch.GetElapsedTime(start) > timeout) throw new TimeoutException($"nothing listens on 127.0.0.1:{port} after {timeout.TotalSeconds} s");
            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
