using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Warren.Durability.Tests.Infrastructure;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Tests.Infrastructure;
using Warren.Server;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>
/// Requests and scatter-gather across a lost connection: a Warren server process stopped by
/// SIGTERM or killed, and a network cut (a proxy) in front of Warren and of RabbitMQ. Replies
/// come to an exclusive reply queue that the broker deletes with the connection: recovery must
/// declare and consume it again, and requests waiting when it went must fail at once.
/// The gathers count every answer to <c>test.quote</c>: the RabbitMQ case shares its broker with
/// the contract suite, so it runs in that collection.
/// </summary>
[Collection(TestCollections.SharedRabbitMq)]
public sealed class RequestRecoveryTests
{
    [Fact]
    public async Task Requests_and_gathers_work_again_after_the_warren_server_stops_gracefully_and_restarts()
    {
        using var data = new TempDataDirectory();
        var server = await WarrenProcess.StartAsync(data.Path, TestContext.Current.CancellationToken);
        var port = server.Port;
        try
        {
            await RunAsync(server.AmqpUri,
                breakConnection: async () => Assert.Equal(0, await server.StopGracefullyAsync()),
                restore: async () => server = await WarrenProcess.StartAsync(data.Path, TestContext.Current.CancellationToken, port));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Requests_and_gathers_work_again_after_the_warren_server_is_killed_and_restarts()
    {
        using var data = new TempDataDirectory();
        var server = await WarrenProcess.StartAsync(data.Path, TestContext.Current.CancellationToken);
        var port = server.Port;
        try
        {
            await RunAsync(server.AmqpUri,
                breakConnection: server.KillAsync,
                restore: async () => server = await WarrenProcess.StartAsync(data.Path, TestContext.Current.CancellationToken, port));
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Requests_and_gathers_work_again_after_the_connection_to_warren_is_cut_and_restored()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        await using var proxy = TcpProxy.For(server.AmqpUri);
        await RunAsync(proxy.Through(server.AmqpUri), () => Cut(proxy), () => Restore(proxy));
    }

    [Fact]
    public async Task Requests_and_gathers_work_again_after_the_connection_to_rabbitmq_is_cut_and_restored()
    {
        var rabbit = new RabbitMqUnderTest();
        if (rabbit.SkipReason is { } reason) Assert.Skip(reason);
        await using var proxy = TcpProxy.For(rabbit.Uri!);
        var services = await RunAsync(proxy.Through(rabbit.Uri!), () => Cut(proxy), () => Restore(proxy));
        await rabbit.DeleteAsync(services.SelectMany(s => new[] { s, s + ".error" }), []);
    }

    private static Task Cut(TcpProxy proxy)
    {
        proxy.Cut();
        return Task.CompletedTask;
    }

    private static Task Restore(TcpProxy proxy)
    {
        proxy.Restore();
        return Task.CompletedTask;
    }

    // Returns the services' names, for clean-up on a shared broker.
    private static async Task<string[]> RunAsync(Uri uri, Func<Task> breakConnection, Func<Task> restore)
    {
        var name = "rr-" + Guid.NewGuid().ToString("N")[..8];
        var slow = name + "-slow";
        var slowGather = name + "-slow-gather";
        await using var inventory = await TestService.StartAsync(new InProcessUnderTest(), name + "-inventory", o =>
        {
            UseAmqp(o, uri);
            o.AddHandler<StockHandler>().AddHandler<QuoteHandler>().AddHandler<SlowHandler>();
        });
        await using var pricing = await TestService.StartAsync(new InProcessUnderTest(), name + "-pricing", o =>
        {
            UseAmqp(o, uri);
            o.AddHandler<QuoteHandler>();
        });
        await using var orders = await TestService.StartAsync(new InProcessUnderTest(), name + "-orders", o => UseAmqp(o, uri));
        var health = ActivatorUtilities.CreateInstance<WarrenHealthCheck>(orders.Services);
        try
        {
            Assert.Equal(name.Length, (await orders.Bus.RequestAsync(new CheckStock(name))).Quantity);
            Assert.Equal(2, (await GatherQuotesAsync(orders, name)).Count);

            // Waiting for replies when the connection goes: far longer timeouts than the test waits.
            var inFlight = orders.Bus.RequestAsync<StockLevel>(new SlowRequest(slow), TimeSpan.FromMinutes(5));
            var inFlightGather = GatherAsync<StockLevel>(orders, new SlowRequest(slowGather), TimeSpan.FromMinutes(5));
            await Switches.Arrived(slow).Task.WaitAsync(Waits.Timeout);
            await Switches.Arrived(slowGather).Task.WaitAsync(Waits.Timeout);

            await breakConnection();

            var lost = await Assert.ThrowsAsync<ConnectionLostException>(() => inFlight.WaitAsync(Waits.Timeout));
            Assert.Contains("test.slow", lost.Message);
            await Assert.ThrowsAsync<ConnectionLostException>(() => inFlightGather.WaitAsync(Waits.Timeout));
            await Waits.Eventually(() => !orders.Bus.Transport.IsConnected);
            Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

            await restore();
            Switches.Gate(slow).TrySetResult();
            Switches.Gate(slowGather).TrySetResult();
            foreach (var service in new[] { orders, inventory, pricing })
            {
                var check = ActivatorUtilities.CreateInstance<WarrenHealthCheck>(service.Services);
                await Waits.Eventually(async () => (await check.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);
            }

            var after = await orders.Bus.RequestAsync(new CheckStock(name + "-after"));
            Assert.Equal((name + "-after").Length, after.Quantity);
            var quotes = await GatherQuotesAsync(orders, name + "-after");
            Assert.Equal([name + "-inventory", name + "-pricing"], quotes.Select(q => q.Supplier).Order());
        }
        finally
        {
            Switches.Gate(slow).TrySetResult();
            Switches.Gate(slowGather).TrySetResult();
        }
        return [name + "-inventory", name + "-pricing", name + "-orders"];
    }

    private static void UseAmqp(Configuration.WarrenOptions options, Uri uri) =>
        options.UseAmqp(uri, a => a.ReconnectInterval = TimeSpan.FromMilliseconds(200));

    private static Task<List<Quote>> GatherQuotesAsync(TestService requester, string tag) =>
        GatherAsync<Quote>(requester, new GetQuote("widget", tag), Waits.Timeout, maxResponses: 2);

    private static async Task<List<T>> GatherAsync<T>(TestService requester, object request, TimeSpan timeout, int maxResponses = int.MaxValue)
    {
        var replies = new List<T>();
        await foreach (var reply in requester.Bus.GatherAsync<T>(request, maxResponses, timeout)) replies.Add(reply);
        return replies;
    }
}
