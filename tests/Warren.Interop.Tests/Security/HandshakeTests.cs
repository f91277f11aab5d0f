using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RabbitMQ.Client;
using Warren.Amqp.Connections;
using Warren.Server;

namespace Warren.Interop.Tests.Security;

/// <summary>
/// Defect 3 of issue 10: connections that never finish the handshake are closed at the handshake
/// timeout, are bounded in number, and cannot lock a real client out, even when the process runs
/// out of file descriptors; the accept loop backs off and logs a burst once.
/// </summary>
public sealed class HandshakeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<Socket>> FloodAsync(int port, int count)
    {
        var sockets = new List<Socket>(count);
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
            await socket.SendAsync("AMQP"u8.ToArray(), Ct); // half a protocol header, then nothing
            sockets.Add(socket);
        }
        return sockets;
    }

    /// <summary>True when the server closed the socket (end of stream or reset) within the timeout.</summary>
    private static async Task<bool> ClosedByServerAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[1024];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (await socket.ReceiveAsync(buffer, deadline.Token) > 0) { }
            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<string> RoundTripAsync(Uri uri)
    {
        var factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = Timeout,
            HandshakeContinuationTimeout = Timeout,
        };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        var queue = (await channel.QueueDeclareAsync("", false, true, true, cancellationToken: Ct)).QueueName;
        await channel.BasicPublishAsync("", queue, true, new BasicProperties(), "let in"u8.ToArray(), Ct);
        return Encoding.UTF8.GetString((await channel.BasicGetAsync(queue, true, Ct))!.Body.Span);
    }

    [Fact]
    public async Task A_connection_stalled_after_connection_start_is_closed_at_the_configured_handshake_timeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0, Amqp = AmqpOptions.Default with { HandshakeTimeout = timeout } }, cancellationToken: Ct);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.EndPoint, Ct);
        var clock = Stopwatch.StartNew();

        await socket.SendAsync("AMQP\0\0\x09\x01"u8.ToArray(), Ct);

        Assert.True(await ClosedByServerAsync(socket, Timeout), "the stalled connection is still open");
        Assert.True(clock.Elapsed >= timeout - TimeSpan.FromMilliseconds(50), $"closed after {clock.Elapsed}, before the timeout");
        Assert.Equal("let in", await RoundTripAsync(server.AmqpUri));
    }

    [Fact]
    public async Task Sockets_sending_only_AMQP_past_the_cap_are_closed_oldest_first_and_a_real_client_still_gets_in()
    {
        const int cap = 20;
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions
        {
            Port = 0,
            // A long timeout: here it is the cap, not the timeout, that must make room.
            Amqp = AmqpOptions.Default with { MaxHandshakingConnections = cap, HandshakeTimeout = TimeSpan.FromMinutes(5) },
        }, cancellationToken: Ct);

        var flood = await FloodAsync(server.Port, 200);
        try
        {
            Assert.Equal("let in", await RoundTripAsync(server.AmqpUri));
            // The oldest ones made room for the newer: all but the last `cap` were closed.
            var closed = await Task.WhenAll(flood.Take(200 - cap - 1).Select(s => ClosedByServerAsync(s, Timeout)));
            Assert.All(closed, Assert.True);
        }
        finally
        {
            foreach (var socket in flood) socket.Dispose();
        }
    }

    [Theory]
    [InlineData(100)]   // the cap keeps the process below its descriptor limit
    [InlineData(1000)]  // the cap is above it: accept fails with EMFILE, backs off, logs once, recovers
    public async Task A_flood_of_stalled_sockets_does_not_lock_out_a_real_client_of_a_process_short_of_file_descriptors(int cap)
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("needs ulimit (Linux)");
        var port = FreePort();
        var server = Path.Combine(AppContext.BaseDirectory, "warren.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // 300 descriptors: the runtime takes about 100, so 400 sockets would exhaust them.
        foreach (var argument in new[] { "-c", $"ulimit -n 300 && exec \"{dotnet}\" \"{server}\" --in-memory --port {port} --management-port 0 --prometheus-port 0 --handshake-timeout 120 --max-handshaking-connections {cap}" })
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); if (e.Data?.Contains("listening on") == true) listening.TrySetResult(); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        List<Socket> flood = [];
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            flood = await FloodAsync(port, 400);

            Assert.Equal("let in", await RoundTripAsync(new Uri($"amqp://guest:guest@127.0.0.1:{port}/")));

            string log;
            lock (output) log = output.ToString();
            var failures = log.Split('\n').Count(l => l.Contains("Accepting connections failed"));
            Assert.True(failures <= 4, $"{failures} accept failures logged:\n{log}");
        }
        finally
        {
            foreach (var socket in flood) socket.Dispose();
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
