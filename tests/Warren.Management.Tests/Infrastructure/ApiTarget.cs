using System.Net.Http.Headers;
using System.Text;
using RabbitMQ.Client;
using Warren.Server;

// The RabbitMQ fixture cannot fail, so it is shared by the whole assembly; the Warren fixture can
// (the server may not start), so it belongs to one collection and fails only its tests.
[assembly: AssemblyFixture(typeof(Warren.Management.Tests.Infrastructure.RabbitMqApiFixture))]

namespace Warren.Management.Tests.Infrastructure;

/// <summary>One broker the API cases run against: an embedded Warren with its management plane, or a real RabbitMQ with its management plugin.</summary>
public sealed class ApiTarget(string name, Uri? amqp, Uri? api, Uri? prometheus, string? unavailableReason = null)
{
    public string Name { get; } = name;

    public Uri? AmqpUri { get; } = amqp;

    /// <summary>The management API's base, e.g. http://127.0.0.1:15672/.</summary>
    public Uri? ApiUri { get; } = api;

    /// <summary>The Prometheus endpoint's base, e.g. http://127.0.0.1:15692/.</summary>
    public Uri? PrometheusUri { get; } = prometheus;

    public bool IsRabbitMq => Name == "rabbitmq";

    public void SkipIfUnavailable()
    {
        if (ApiUri is null) Assert.Skip(unavailableReason ?? $"{Name} is not available");
    }

    /// <summary>An HTTP client for the API as <paramref name="user"/> (guest by default).</summary>
    public HttpClient CreateClient(string user = "guest", string password = "guest")
    {
        SkipIfUnavailable();
        var client = new HttpClient { BaseAddress = ApiUri, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return client;
    }

    public Task<IConnection> ConnectAsync(string? clientName = null)
    {
        SkipIfUnavailable();
        var factory = new ConnectionFactory
        {
            Uri = AmqpUri!,
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            ClientProvidedName = clientName ?? TestContext.Current.TestMethod?.MethodName ?? "warren-management-tests",
        };
        return factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
    }

    public override string ToString() => Name;
}

/// <summary>One embedded Warren with its API and Prometheus endpoint on free ports, shared by the "Warren" collection.</summary>
public sealed class WarrenApiFixture : IAsyncLifetime
{
    private WarrenServer? _server;

    public ApiTarget Target { get; private set; } = new("warren", null, null, null, "the Warren server did not start");

    public WarrenServer Server => _server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync()
    {
        _server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0, ManagementPort = 0, PrometheusPort = 0 });
        Target = new ApiTarget("warren", _server.AmqpUri, _server.ManagementUri, new Uri($"http://{_server.PrometheusEndPoint}/"));
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>
/// A real RabbitMQ named by <c>WARREN_TEST_RABBITMQ_URI</c> (its AMQP URI); its management API is
/// on the AMQP port + 10000 and its Prometheus endpoint on + 10100 (how ../shared/scripts/rabbitmq.sh
/// and .ci/run start it). Its tests are skipped when the variable is unset.
/// </summary>
public sealed class RabbitMqApiFixture
{
    public const string UriVariable = "WARREN_TEST_RABBITMQ_URI";

    public ApiTarget Target { get; } = Create();

    private static ApiTarget Create()
    {
        if (Environment.GetEnvironmentVariable(UriVariable) is not { Length: > 0 } text) return new ApiTarget("rabbitmq", null, null, null, $"{UriVariable} is not set");
        var amqp = new Uri(text);
        var apiPort = amqp.Port + 10000;
        // A RabbitMQ started without the management plugin: its API cases are skipped, not failed.
        try
        {
            using var probe = new System.Net.Sockets.TcpClient();
            probe.Connect(amqp.Host, apiPort);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return new ApiTarget("rabbitmq", null, null, null, $"RabbitMQ's management API is not listening on {amqp.Host}:{apiPort}");
        }
        return new ApiTarget("rabbitmq", amqp, new Uri($"http://{amqp.Host}:{apiPort}/"), new Uri($"http://{amqp.Host}:{amqp.Port + 10100}/"));
    }
}

[CollectionDefinition(Name)]
public sealed class WarrenCollection : ICollectionFixture<WarrenApiFixture>
{
    public const string Name = "Warren";
}
