using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Warren.Messaging.Configuration;
using Warren.Messaging.Testing;
using Warren.Server;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>A transport the contract suite runs on.</summary>
public abstract class TransportUnderTest : IAsyncLifetime
{
    /// <summary>Null when available; otherwise why the tests skip.</summary>
    public virtual string? SkipReason => null;

    /// <summary>Null when the broker has TTL and dead-lettering; otherwise why delayed-retry tests skip.</summary>
    public virtual string? DelayedRetrySkipReason => null;

    public abstract void Configure(WarrenOptions options);

    /// <summary>Removes queues and exchanges a test left behind on a shared broker.</summary>
    public virtual Task DeleteAsync(IEnumerable<string> queues, IEnumerable<string> exchanges) => Task.CompletedTask;

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class InProcessUnderTest : TransportUnderTest
{
    private readonly Warren.Broker.Broker _broker = new();

    public override void Configure(WarrenOptions options) => options.UseInProcess(_broker);
}

public abstract class AmqpUnderTest : TransportUnderTest
{
    public abstract Uri? Uri { get; }

    public override void Configure(WarrenOptions options) => options.UseAmqp(Uri!, a => a.BrokerSupportsDeadLettering = DelayedRetrySkipReason is null);

    public override async Task DeleteAsync(IEnumerable<string> queues, IEnumerable<string> exchanges)
    {
        if (Uri is null) return;
        var factory = new ConnectionFactory { Uri = Uri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in queues) await channel.QueueDeleteAsync(queue);
        foreach (var exchange in exchanges) await channel.ExchangeDeleteAsync(exchange);
    }
}

public sealed class WarrenServerUnderTest : AmqpUnderTest
{
    private WarrenServer? _server;

    public override Uri? Uri => _server?.AmqpUri;

    public override async ValueTask InitializeAsync() => _server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null) await AmqpRecoveryTests.StopServerAsync(_server);
    }
}

public sealed class RabbitMqUnderTest : AmqpUnderTest
{
    private static readonly string? s_uri = Environment.GetEnvironmentVariable("WARREN_TEST_RABBITMQ_URI");

    public override Uri? Uri => string.IsNullOrEmpty(s_uri) ? null : new Uri(s_uri);

    public override string? SkipReason => Uri is null ? "WARREN_TEST_RABBITMQ_URI is not set (e.g. amqp://guest:guest@127.0.0.1:5679/)" : null;
}

/// <summary>One running service instance in a test: its container, bus and recorder.</summary>
public sealed class TestService : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private TestService(ServiceProvider provider)
    {
        _provider = provider;
        Bus = provider.GetRequiredService<WarrenBus>();
        Recorder = provider.GetRequiredService<MessageRecorder>();
    }

    public WarrenBus Bus { get; }

    public MessageRecorder Recorder { get; }

    public IServiceProvider Services => _provider;

    public static async Task<TestService> StartAsync(TransportUnderTest transport, string serviceName, Action<WarrenOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(new ServiceIdentity(serviceName));
        services.AddWarrenMessageRecorder();
        services.AddWarren(o =>
        {
            o.ServiceName = serviceName;
            o.RequestTimeout = TimeSpan.FromSeconds(20);
            o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            transport.Configure(o);
            configure(o);
        });
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return new TestService(provider);
    }

    private bool _disposed;

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var hosted in _provider.GetServices<IHostedService>()) await hosted.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }
}
