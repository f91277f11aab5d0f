using Warren.Interop.Tests.Infrastructure;
using Warren.Server;

// The RabbitMQ fixture cannot fail, so it is shared by the whole assembly and the RabbitMQ classes run in parallel;
// the Warren fixture can (the server may not start), so it belongs to one collection and fails only its tests.
[assembly: AssemblyFixture(typeof(RabbitMqFixture))]

namespace Warren.Interop.Tests.Infrastructure;

/// <summary>One embedded Warren server shared by every test of the "Warren" collection.</summary>
public sealed class WarrenFixture : IAsyncLifetime
{
    private WarrenServer? server;

    public BrokerTarget Target { get; private set; } = new("warren", null, "the Warren server did not start");

    public async ValueTask InitializeAsync()
    {
        server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        Target = new BrokerTarget("warren", server.AmqpUri, admin: new WarrenAdmin(server.Broker));
    }

    /// <summary>The embedded server, for cases that look inside the broker.</summary>
    public WarrenServer Server => server ?? throw new InvalidOperationException("the Warren server did not start");

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
            await server.DisposeAsync();
    }
}

/// <summary>A real RabbitMQ named by <c>WARREN_TEST_RABBITMQ_URI</c>; its tests are skipped when it is unset.</summary>
public sealed class RabbitMqFixture
{
    public const string UriVariable = "WARREN_TEST_RABBITMQ_URI";

    public BrokerTarget Target { get; } = Environment.GetEnvironmentVariable(UriVariable) is { Length: > 0 } uri
        ? new BrokerTarget("rabbitmq", new Uri(uri), admin: new RabbitMqAdmin(new Uri(uri)))
        : new BrokerTarget("rabbitmq", null, $"{UriVariable} is not set");
}

[CollectionDefinition(Name)]
public sealed class WarrenCollection : ICollectionFixture<WarrenFixture>
{
    public const string Name = "Warren";
}
