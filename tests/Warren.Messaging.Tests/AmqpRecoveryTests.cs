using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Tests.Infrastructure;
using Warren.Server;
using Xunit;
using static Warren.Messaging.Tests.Waits;

namespace Warren.Messaging.Tests;

/// <summary>Connection loss over AMQP: the broker stops and comes back on the same port.</summary>
public sealed class AmqpRecoveryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task After_the_broker_restarts_the_bus_redeclares_its_topology_and_consumes_again()
    {
        var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        var port = server.Port;
        var uri = server.AmqpUri;
        var transport = new InProcessUnderTest(); // UseAmqp below replaces its transport
        var name = "recovery-" + Guid.NewGuid().ToString("N")[..8];
        await using var service = await TestService.StartAsync(transport, name, o =>
        {
            o.UseAmqp(uri, a => a.ReconnectInterval = TimeSpan.FromMilliseconds(200));
            o.AddHandler<OrderPlacedHandler>();
        });
        var health = ActivatorUtilities.CreateInstance<WarrenHealthCheck>(service.Services);
        await service.Bus.PublishAsync(new OrderPlaced(name + "-before", 1));
        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == name + "-before", Wait);

        await server.DisposeAsync();
        await Eventually(() => !service.Bus.Transport.IsConnected);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        // Published during the outage: waits (bounded) for the connection to come back.
        var duringOutage = service.Bus.PublishAsync(new OrderPlaced(name + "-during", 2));
        var restarted = await WarrenServer.StartAsync(new WarrenServerOptions { Port = port });
        try
        {
            await duringOutage.WaitAsync(Wait);
            await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == name + "-during", Wait);
            await service.Bus.PublishAsync(new OrderPlaced(name + "-after", 3));
            await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == name + "-after", Wait);
            await Eventually(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);
        }
        finally
        {
            await service.DisposeAsync();
            await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_lost_connection_is_logged_as_a_lost_connection_not_as_a_cancelled_consumer()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        await using var proxy = TcpProxy.For(server.AmqpUri);
        var logs = new LogCollector();
        var name = "logs-" + Guid.NewGuid().ToString("N")[..8];
        await using var service = await TestService.StartAsync(new InProcessUnderTest(), name, o =>
        {
            o.UseAmqp(proxy.Through(server.AmqpUri), a => a.ReconnectInterval = TimeSpan.FromMilliseconds(200));
            o.AddHandler<OrderPlacedHandler>();
        }, logs: logs);
        var health = ActivatorUtilities.CreateInstance<WarrenHealthCheck>(service.Services);

        proxy.Cut();
        await Eventually(() => !service.Bus.Transport.IsConnected);
        proxy.Restore();
        await Eventually(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);

        var said = logs.MessagesAtOrAbove(LogLevel.Information).ToList();
        Assert.Contains(said, m => m.StartsWith("AMQP connection lost", StringComparison.Ordinal));
        Assert.Contains(said, m => m.Contains($"Consuming {name} paused: the connection was lost", StringComparison.Ordinal));
        Assert.DoesNotContain(said, m => m.Contains("cancelled the consumer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publishing_fails_clearly_when_the_broker_stays_away()
    {
        var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        var uri = server.AmqpUri;
        await using var service = await TestService.StartAsync(new InProcessUnderTest(), "away-" + Guid.NewGuid().ToString("N")[..8], o =>
            o.UseAmqp(uri, a => a.PublishOutageTimeout = TimeSpan.FromMilliseconds(500)));

        await server.DisposeAsync();
        await Eventually(() => !service.Bus.Transport.IsConnected);

        var error = await Assert.ThrowsAsync<Warren.Messaging.Transports.Amqp.BrokerUnreachableException>(() => service.Bus.PublishAsync(new OrderPlaced("x", 1)));
        Assert.Contains("unreachable", error.Message);
    }
}
