using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Warren.Server;

namespace Warren.Bench.Soak;

/// <summary>
/// The broker under soak: this same program started again with "serve", an embedded Warren server
/// with a data folder in a process of its own. It answers "sample" on stdin with its own RSS, GC
/// heap, threads and file descriptors (the GC heap is only readable from inside the process).
/// </summary>
public sealed class BrokerChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SemaphoreSlim _exchange = new(1);
    private readonly Task _stderr;

    private BrokerChild(Process process, int port, string logFile)
    {
        _process = process;
        Port = port;
        LogFile = logFile;
        _stderr = CopyStderrAsync(logFile);
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string LogFile { get; }

    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Starts the child and waits for its port.</summary>
    public static async Task<BrokerChild> StartAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var self = typeof(BrokerChild).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [self, "serve", dataDirectory])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the broker child");
        var ready = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken)
            ?? throw new InvalidOperationException("the broker child exited before it was ready");
        if (!ready.StartsWith("ready ", StringComparison.Ordinal)) throw new InvalidOperationException($"unexpected line from the broker child: {ready}");
        var logFile = Path.Combine(Path.GetTempPath(), $"warren-soak-broker-{process.Id}.log");
        return new BrokerChild(process, int.Parse(ready["ready ".Length..], CultureInfo.InvariantCulture), logFile);
    }

    /// <summary>Asks the child for a sample.</summary>
    public async Task<BrokerSample> SampleAsync(CancellationToken cancellationToken)
    {
        await _exchange.WaitAsync(cancellationToken);
        try
        {
            await _process.StandardInput.WriteLineAsync("sample".AsMemory(), cancellationToken);
            await _process.StandardInput.FlushAsync(cancellationToken);
            var line = await _process.StandardOutput.ReadLineAsync(cancellationToken) ?? throw new InvalidOperationException("the broker child exited");
            return BrokerSample.Parse(line);
        }
        finally
        {
            _exchange.Release();
        }
    }

    private async Task CopyStderrAsync(string logFile)
    {
        await using var log = new StreamWriter(logFile) { AutoFlush = true };
        while (await _process.StandardError.ReadLineAsync() is { } line) await log.WriteLineAsync(line);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("stop");
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _stderr.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
        _exchange.Dispose();
    }

    /// <summary>The child's side: serves until "stop" or the end of stdin.</summary>
    public static async Task<int> ServeAsync(string dataDirectory)
    {
        // Warnings and errors go to stderr (the driver keeps them in a log file); stdout carries the protocol.
        using var logging = LoggerFactory.Create(b => b
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(LogLevel.Warning));
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0, DataDirectory = dataDirectory }, logging);
        Console.WriteLine($"ready {server.Port}");
        while (await Console.In.ReadLineAsync() is { } command && command != "stop")
        {
            if (command == "sample") Console.WriteLine(BrokerSample.OfThisProcess().ToLine());
        }
        return 0;
    }
}
