using System.Net;
using System.Net.Sockets;
using Warren.Messaging.Transports.Amqp;
using Warren.Server;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>Services and brokers start in any order: a service started before its broker waits for it.</summary>
public sealed class AmqpStartupTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_service_started_before_its_broker_connects_once_the_broker_is_up()
    {
        var port = FreePort();
        var uri = new Uri($"amqp://guest:guest@127.0.0.1:{port}/");
        var transport = new AmqpTransport(new AmqpTransportOptions { Uri = uri, StartupTimeout = TimeSpan.FromMinutes(2), ReconnectInterval = TimeSpan.FromMilliseconds(500) }, "early");
        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.StartupRetried += _ => retried.TrySetResult();
        var name = "early-" + Guid.NewGuid().ToString("N")[..8];

        var starting = TestService.StartAsync(new InProcessUnderTest(), name, o =>
        {
            o.UseTransport(_ => transport);
            o.AddHandler<OrderPlacedHandler>();
        });
        await retried.Task.WaitAsync(Wait);
        Assert.False(starting.IsCompleted);
        var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = port });
        try
        {
            await using var service = await starting.WaitAsync(Wait);
            var order = new OrderPlaced(name, 1);
            await service.Bus.PublishAsync(order);
            await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o == order, Wait);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Starting_gives_up_after_the_startup_timeout_with_a_clear_error()
    {
        var port = FreePort();
        var transport = new AmqpTransport(new AmqpTransportOptions
        {
            Uri = new Uri($"amqp://guest:guest@127.0.0.1:{port}/"),
            StartupTimeout = TimeSpan.FromSeconds(1),
            StartupRetryDelay = TimeSpan.FromMilliseconds(100),
        }, "never");
        var attempts = 0;
        transport.StartupRetried += n => attempts = n;

        var error = await Assert.ThrowsAsync<BrokerUnreachableException>(() => transport.StartAsync(CancellationToken.None));

        Assert.Contains($"127.0.0.1:{port}", error.Message);
        Assert.Contains("attempts over 1 s", error.Message);
        Assert.True(attempts >= 2, $"{attempts} retries");
        await transport.DisposeAsync();
    }

    [Fact]
    public async Task A_startup_timeout_of_zero_tries_once()
    {
        var transport = new AmqpTransport(new AmqpTransportOptions { Uri = new Uri($"amqp://guest:guest@127.0.0.1:{FreePort()}/"), StartupTimeout = TimeSpan.Zero }, "once", null);
        var retried = false;
        transport.StartupRetried += _ => retried = true;

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => transport.StartAsync(CancellationToken.None));

        Assert.False(retried);
        await transport.DisposeAsync();
    }

    // A port nothing listens on now (bound to 0 and released).
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
