using RabbitMQ.Client;

namespace Warren.Interop.Tests.Infrastructure;

/// <summary>One broker the interop cases run against: the embedded Warren or a real RabbitMQ.</summary>
public sealed class BrokerTarget(string name, Uri? uri, string? unavailableReason = null, IBrokerAdmin? admin = null)
{
    /// <summary>Users, permissions, limits and policies of this broker (the broker model on Warren, the management API on RabbitMQ).</summary>
    public IBrokerAdmin Admin => admin ?? throw new InvalidOperationException($"{Name} has no admin surface");

    /// <summary>"warren" or "rabbitmq".</summary>
    public string Name { get; } = name;

    /// <summary>The broker's AMQP URI; null when the broker is not available to this run.</summary>
    public Uri? Uri { get; } = uri;

    public bool IsRabbitMq => Name == "rabbitmq";

    /// <summary>Reports the current test as skipped when this broker is not available.</summary>
    public void SkipIfUnavailable()
    {
        if (Uri is null)
            Assert.Skip(unavailableReason ?? $"{Name} is not available");
    }

    public Uri RequiredUri
    {
        get
        {
            SkipIfUnavailable();
            return Uri!;
        }
    }

    public ConnectionFactory CreateFactory() => new()
    {
        Uri = RequiredUri,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        ClientProvidedName = TestContext.Current.TestMethod?.MethodName ?? "warren-interop",
    };

    public Task<IConnection> CreateConnectionAsync(Action<ConnectionFactory>? configure = null)
    {
        var factory = CreateFactory();
        configure?.Invoke(factory);
        return factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
    }

    public override string ToString() => Name;
}
