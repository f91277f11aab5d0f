using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Server;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>Stopping the server, as clients see it.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task A_graceful_shutdown_closes_every_client_connection_with_320_connection_forced()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        var connections = new List<IConnection>();
        var closes = new List<Task<ShutdownEventArgs>>();
        for (var i = 0; i < 3; i++)
        {
            var connection = await factory.CreateConnectionAsync(ct);
            await connection.CreateChannelAsync(cancellationToken: ct);
            var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            connection.ConnectionShutdownAsync += (_, args) =>
            {
                closed.TrySetResult(args);
                return Task.CompletedTask;
            };
            connections.Add(connection);
            closes.Add(closed.Task);
        }

        // No ObjectDisposedException to catch: disposing races no connection's own teardown.
        await server.DisposeAsync();

        foreach (var close in closes)
        {
            var reason = await close.WaitAsync(TimeSpan.FromSeconds(20), ct);
            Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
            Assert.Equal(320, reason.ReplyCode);
            Assert.Equal("CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'", reason.ReplyText);
        }
        foreach (var connection in connections) connection.Dispose();
    }
}
