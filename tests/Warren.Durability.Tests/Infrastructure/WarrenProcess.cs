using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RabbitMQ.Client;

namespace Warren.Durability.Tests.Infrastructure;

/// <summary>
/// The <c>warren</c> server as a separate process on a data folder, so a test can kill it for
/// real. Disposing kills it if it still runs, whatever happened in the test.
/// </summary>
public sealed class WarrenProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WarrenProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the server wrote so far, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts the server on <paramref name="dataDirectory"/> and waits until it accepts connections;
    /// on <paramref name="port"/> (to restart one where its clients reconnect) or a free one.
    /// </summary>
    public static async Task<WarrenProcess> StartAsync(string dataDirectory, CancellationToken cancellationToken, int? port = null)
    {
        port ??= FreePort();
        var start = StartInfo();
        // The management API and Prometheus off: tests run servers side by side, and their default ports would clash.
        foreach (var argument in new[] { "--port", port.Value.ToString(), "--data-dir", dataDirectory, "--management-port", "0", "--prometheus-port", "0" }) start.ArgumentList.Add(argument);
        var process = new Process { StartInfo = start };
        var warren = new WarrenProcess(process, port.Value);
        process.OutputDataReceived += (_, e) => warren.Append(e.Data);
        process.ErrorDataReceived += (_, e) => warren.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await warren.WaitUntilListeningAsync(cancellationToken);
            return warren;
        }
        catch
        {
            await warren.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>warren</c> with <paramref name="arguments"/> until it exits by itself; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] arguments)
    {
        var start = StartInfo();
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static ProcessStartInfo StartInfo()
    {
        var server = Path.Combine(AppContext.BaseDirectory, "warren.dll");
        Xunit.Assert.True(File.Exists(server), $"{server} is missing: the project reference to Warren.Server should copy it");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(server);
        return start;
    }

    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = AmqpUri, AutomaticRecoveryEnabled = false, TopologyRecoveryEnabled = false };
        return await factory.CreateConnectionAsync(cancellationToken);
    }

    /// <summary>SIGKILL: the process dies at once, with whatever it had not written.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(ExitTimeout);
        await _process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGTERM: the server closes connections and its data folder, then exits. Returns the exit code.</summary>
    public async Task<int> StopGracefullyAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
        {
            await kill.WaitForExitAsync();
            Xunit.Assert.Equal(0, kill.ExitCode);
        }
        using var timeout = new CancellationTokenSource(ExitTimeout);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"warren exited with code {_process.ExitCode} before listening:\n{Output}");
            using var client = new TcpClient();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (deadline.Elapsed > StartTimeout) throw new TimeoutException($"warren did not listen on port {Port} within {StartTimeout}:\n{Output}");
                // Polling with a deadline: the port opens once recovery is done.
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    // Bind port 0, read the port the OS picked, release it for the server.
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}

/// <summary>A data folder per test, deleted afterwards.</summary>
public sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "warren-durability-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
