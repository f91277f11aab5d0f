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

    /// <summary>Null when a queue deleted and at once declared again behind the bus's back can be consumed; otherwise why that test skips.</summary>
    public virtual string? QueueRecreateSkipReason => null;

    /// <summary>Null when the broker has TTL and dead-lettering; otherwise why delayed-retry tests skip.</summary>
    public virtual string? DelayedRetrySkipReason => null;

    public abstract void Configure(WarrenOptions options);

    /// <summary>Removes queues and exchanges a test left behind on a shared broker.</summary>
    public virtual Task DeleteAsync(IEnumerable<string> queues, IEnumerable<string> exchanges) => Task.CompletedTask;

    /// <summary>Deletes an exchange behind the bus's back.</summary>
    public abstract Task DeleteExchangeAsync(string exchange);

    /// <summary>Deletes a queue behind the bus's back.</summary>
    public abstract Task DeleteQueueAsync(string queue);

    /// <summary>Declares a durable queue (of the bus's queue type) and binds it, behind the bus's back.</summary>
    public abstract Task DeclareQueueAsync(string queue, string exchange, string routingKey);

    public virtual ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

public sealed class InProcessUnderTest : TransportUnderTest
{
    private readonly Warren.Broker.Broker _broker = new();

    private Warren.Broker.VirtualHosts.VirtualHost VirtualHost => _broker.AddVirtualHost("/");

    public override void Configure(WarrenOptions options) => options.UseInProcess(_broker);

    public override Task DeleteExchangeAsync(string exchange)
    {
        VirtualHost.DeleteExchange(exchange, ifUnused: false);
        return Task.CompletedTask;
    }

    public override Task DeleteQueueAsync(string queue)
    {
        VirtualHost.DeleteQueue(queue, ifUnused: false, ifEmpty: false, connection: null);
        return Task.CompletedTask;
    }

    public override Task DeclareQueueAsync(string queue, string exchange, string routingKey)
    {
        VirtualHost.DeclareQueue(queue, new Warren.Broker.Queues.QueueSettings(true, false, false, null), passive: false, connection: null);
        VirtualHost.BindQueue(queue, exchange, routingKey, null, null);
        return Task.CompletedTask;
    }
}

public abstract class AmqpUnderTest : TransportUnderTest
{
    public abstract Uri? Uri { get; }

    /// <summary>The transport's <c>QueueType</c> option: null for the broker's default (classic).</summary>
    protected virtual string? QueueType => null;

    public override void Configure(WarrenOptions options) => options.UseAmqp(Uri!, a =>
    {
        a.BrokerSupportsDeadLettering = DelayedRetrySkipReason is null;
        a.QueueType = QueueType;
    });

    public override Task DeleteAsync(IEnumerable<string> queues, IEnumerable<string> exchanges) => OnRawChannelAsync(async channel =>
    {
        foreach (var queue in queues) await channel.QueueDeleteAsync(queue);
        foreach (var exchange in exchanges) await channel.ExchangeDeleteAsync(exchange);
    });

    public override Task DeleteExchangeAsync(string exchange) => OnRawChannelAsync(channel => channel.ExchangeDeleteAsync(exchange));

    public override Task DeleteQueueAsync(string queue) => OnRawChannelAsync(channel => channel.QueueDeleteAsync(queue));

    public override Task DeclareQueueAsync(string queue, string exchange, string routingKey) => OnRawChannelAsync(async channel =>
    {
        var arguments = QueueType is null ? null : new Dictionary<string, object?> { ["x-queue-type"] = QueueType };
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
        await channel.QueueBindAsync(queue, exchange, routingKey);
    });

    // A connection of its own: what another client (or an operator) does behind the bus's back.
    private async Task OnRawChannelAsync(Func<IChannel, Task> action)
    {
        if (Uri is null) return;
        var factory = new ConnectionFactory { Uri = Uri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await action(channel);
    }
}

public class WarrenServerUnderTest : AmqpUnderTest
{
    private WarrenServer? _server;

    public override Uri? Uri => _server?.AmqpUri;

    public override async ValueTask InitializeAsync() => _server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

public class RabbitMqUnderTest : AmqpUnderTest
{
    private static readonly string? s_uri = Environment.GetEnvironmentVariable("WARREN_TEST_RABBITMQ_URI");

    public override Uri? Uri => string.IsNullOrEmpty(s_uri) ? null : new Uri(s_uri);

    public override string? SkipReason => Uri is null ? "WARREN_TEST_RABBITMQ_URI is not set (e.g. amqp://guest:guest@127.0.0.1:5679/)" : null;
}

/// <summary>Warren serves <c>x-queue-type: quorum</c> as a durable single-node queue.</summary>
public sealed class WarrenServerQuorumUnderTest : WarrenServerUnderTest
{
    protected override string? QueueType => "quorum";
}

public sealed class RabbitMqQuorumUnderTest : RabbitMqUnderTest
{
    protected override string? QueueType => "quorum";

    // RabbitMQ 3.10, checked with pika (no Warren code involved): a quorum queue deleted and at once
    // declared again under the same name sends its consumer no basic.cancel and delivers it
    // nothing; the consumer's connection is later closed with 541 INTERNAL_ERROR. With a pause
    // between the delete and the declare, the cancel comes and a new consumer gets the message;
    // classic queues send the cancel either way. There is nothing for the library to re-attach on.
    public override string? QueueRecreateSkipReason =>
        "RabbitMQ 3.10 sends no basic.cancel for a quorum queue deleted and at once re-declared (its consumer goes stale; checked with pika)";
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

    public static async Task<TestService> StartAsync(TransportUnderTest transport, string serviceName, Action<WarrenOptions> configure,
        Action<IServiceCollection>? register = null, ILoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        register?.Invoke(services);
        services.AddLogging(b =>
        {
            b.SetMinimumLevel(logs is null ? LogLevel.Warning : LogLevel.Information);
            if (logs is not null) b.AddProvider(logs);
        });
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
