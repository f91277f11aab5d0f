using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Durability.Tests.Infrastructure;

namespace Warren.Durability.Tests;

/// <summary>A broker that a test can restart in place: Warren as a process on a data folder, or a RabbitMQ node of the test's own.</summary>
public interface IRestartableBroker : IAsyncDisposable
{
    Uri Uri { get; }

    Task RestartAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Restart semantics, run against Warren and against the real RabbitMQ (the reference): durable
/// definitions and persistent messages survive, transient ones do not, and a delivered but
/// unacknowledged message comes back redelivered.
/// </summary>
public abstract class RestartSemanticsTests
{
    private static readonly CreateChannelOptions Confirms = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    protected abstract Task<IRestartableBroker> StartBrokerAsync(CancellationToken cancellationToken);

    private static async Task<IConnection> ConnectAsync(IRestartableBroker broker, CancellationToken ct) =>
        await new ConnectionFactory { Uri = broker.Uri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync(ct);

    [Fact(Timeout = 180_000)]
    public async Task Durable_definitions_and_persistent_messages_survive_a_restart_and_transient_ones_do_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var id = Guid.NewGuid().ToString("N")[..8];
        await using var broker = await StartBrokerAsync(ct);
        await using (var connection = await ConnectAsync(broker, ct))
        await using (var channel = await connection.CreateChannelAsync(Confirms, ct))
        {
            await channel.ExchangeDeclareAsync($"events.{id}", ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.ExchangeDeclareAsync($"scratch.{id}", ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync($"kept.{id}", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync($"temporary.{id}", durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueBindAsync($"kept.{id}", $"events.{id}", "order.*", cancellationToken: ct);
            await channel.BasicPublishAsync($"events.{id}", "order.placed", true, new BasicProperties { Persistent = true, MessageId = "persistent" }, "p"u8.ToArray(), ct);
            await channel.BasicPublishAsync($"events.{id}", "order.placed", true, new BasicProperties { Persistent = false, MessageId = "transient" }, "t"u8.ToArray(), ct);
        }

        await broker.RestartAsync(ct);

        await using var reader = await ConnectAsync(broker, ct);
        // A confirming channel: on RabbitMQ a count read right after an unconfirmed publish may not include it yet.
        await using (var channel = await reader.CreateChannelAsync(Confirms, ct))
        {
            var first = await channel.BasicGetAsync($"kept.{id}", autoAck: true, ct);
            Assert.Equal("persistent", first?.BasicProperties.MessageId);
            Assert.Null(await channel.BasicGetAsync($"kept.{id}", autoAck: true, ct));
            await channel.BasicPublishAsync($"events.{id}", "order.shipped", false, new BasicProperties(), "a"u8.ToArray(), ct);
            Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync($"kept.{id}", ct)).MessageCount); // the binding survived
            await channel.QueueDeleteAsync($"kept.{id}", cancellationToken: ct);
            await channel.ExchangeDeleteAsync($"events.{id}", cancellationToken: ct);
        }
        await AssertNotFoundAsync(reader, ch => ch.QueueDeclarePassiveAsync($"temporary.{id}", ct), ct);
        await AssertNotFoundAsync(reader, ch => ch.ExchangeDeclarePassiveAsync($"scratch.{id}", ct), ct);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_delivered_but_unacknowledged_persistent_message_comes_back_redelivered_after_a_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        var queue = $"unacked.{Guid.NewGuid():N}";
        await using var broker = await StartBrokerAsync(ct);
        var connection = await ConnectAsync(broker, ct);
        try
        {
            await using var channel = await connection.CreateChannelAsync(Confirms, ct);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true, MessageId = "held" }, "h"u8.ToArray(), ct);
            await channel.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true, MessageId = "waiting" }, "w"u8.ToArray(), ct);
            var held = await channel.BasicGetAsync(queue, autoAck: false, ct);
            Assert.False(held!.Redelivered);

            await broker.RestartAsync(ct);
        }
        finally
        {
            connection.Dispose();
        }

        await using var reader = await ConnectAsync(broker, ct);
        await using var check = await reader.CreateChannelAsync(cancellationToken: ct);
        var again = await check.BasicGetAsync(queue, autoAck: true, ct);
        Assert.Equal(("held", true), (again?.BasicProperties.MessageId, again?.Redelivered));
        var next = await check.BasicGetAsync(queue, autoAck: true, ct);
        Assert.Equal(("waiting", false), (next?.BasicProperties.MessageId, next?.Redelivered));
        await check.QueueDeleteAsync(queue, cancellationToken: ct);
    }

    private static async Task AssertNotFoundAsync(IConnection connection, Func<IChannel, Task> passiveDeclare, CancellationToken ct)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => passiveDeclare(channel));
        Assert.Equal(404, (int?)error.ShutdownReason?.ReplyCode);
        channel.Dispose();
    }
}

public sealed class RestartSemanticsTests_on_Warren : RestartSemanticsTests
{
    protected override async Task<IRestartableBroker> StartBrokerAsync(CancellationToken cancellationToken) =>
        await RestartableWarren.StartAsync(cancellationToken);

    private sealed class RestartableWarren : IRestartableBroker
    {
        private readonly string _data = Directory.CreateTempSubdirectory("warren-restart-").FullName;
        private WarrenProcess? _server;

        public Uri Uri => _server!.AmqpUri;

        public static async Task<RestartableWarren> StartAsync(CancellationToken cancellationToken)
        {
            var broker = new RestartableWarren();
            broker._server = await WarrenProcess.StartAsync(broker._data, cancellationToken);
            return broker;
        }

        public async Task RestartAsync(CancellationToken cancellationToken)
        {
            var exitCode = await _server!.StopGracefullyAsync();
            Assert.True(exitCode == 0, $"warren exited with {exitCode}:\n{_server.Output}");
            await _server.DisposeAsync();
            _server = await WarrenProcess.StartAsync(_data, cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_server is not null) await _server.DisposeAsync();
            Directory.Delete(_data, recursive: true);
        }
    }
}

/// <summary>
/// The same cases on a RabbitMQ node of their own (a restart would disturb the shared node the
/// interop tests use), started with .ci/rabbitmq.sh when CI provides RabbitMQ; skipped otherwise.
/// </summary>
public sealed class RestartSemanticsTests_on_RabbitMq : RestartSemanticsTests
{
    protected override async Task<IRestartableBroker> StartBrokerAsync(CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("WARREN_TEST_RABBITMQ_URI") is not { Length: > 0 }) Assert.Skip("WARREN_TEST_RABBITMQ_URI is not set: no RabbitMQ in this run");
        var script = FindScript();
        if (script is null) Assert.Skip(".ci/rabbitmq.sh not found beside the tests");
        return await RabbitMqNode.StartAsync(script, NodePort(), cancellationToken);
    }

    // Each test a node of its own, on ports no other run uses.
    private static int s_nextPort = 5684;

    private static int NodePort() => Interlocked.Increment(ref s_nextPort);

    private static string? FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var script = Path.Combine(directory.FullName, ".ci", "rabbitmq.sh");
            if (File.Exists(script)) return script;
        }
        return null;
    }

    private sealed class RabbitMqNode(string script, int port, Uri uri) : IRestartableBroker
    {
        public Uri Uri { get; } = uri;

        public static async Task<RabbitMqNode> StartAsync(string script, int port, CancellationToken cancellationToken)
        {
            var (code, output) = await RunAsync(script, "start", port, cancellationToken);
            Assert.True(code == 0, $"could not start RabbitMQ on {port}: {output}");
            var uri = System.Text.RegularExpressions.Regex.Match(output, @"amqp://\S+").Value;
            return new RabbitMqNode(script, port, new Uri(uri));
        }

        public async Task RestartAsync(CancellationToken cancellationToken)
        {
            var (code, output) = await RunAsync(script, "restart", port, cancellationToken);
            Assert.True(code == 0, $"could not restart RabbitMQ on {port}: {output}");
        }

        public async ValueTask DisposeAsync() => await RunAsync(script, "stop", port, CancellationToken.None);

        private static async Task<(int Code, string Output)> RunAsync(string script, string command, int port, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { script, command, port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await output + await error);
        }
    }
}
