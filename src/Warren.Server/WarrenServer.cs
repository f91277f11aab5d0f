using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Amqp.Listening;
using Warren.Management;

namespace Warren.Server;

/// <summary>
/// A complete Warren broker listening for AMQP 0-9-1 clients: one line starts it, disposing it
/// stops it. The <c>warren</c> executable is a thin wrapper around this type; tests and
/// applications embed it the same way.
/// </summary>
/// <example>
/// <code>
/// await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
/// var factory = new ConnectionFactory { Uri = server.AmqpUri };
/// </code>
/// </example>
public sealed class WarrenServer : IAsyncDisposable
{
    private readonly AmqpListener _listener;
    private readonly ManagementServer? _management;

    private WarrenServer(Broker.Broker broker, AmqpListener listener, ManagementServer? management)
    {
        Broker = broker;
        _listener = listener;
        _management = management;
    }

    /// <summary>Where the management HTTP API listens; null when it is off.</summary>
    public IPEndPoint? ManagementEndPoint => _management?.ApiEndPoint;

    /// <summary>The management API's base URI, e.g. <c>http://127.0.0.1:15672/</c>; null when it is off.</summary>
    public Uri? ManagementUri => ManagementEndPoint is { } endPoint ? new Uri($"http://{Loopback(endPoint)}/") : null;

    /// <summary>Where the Prometheus endpoint listens; null when it is off.</summary>
    public IPEndPoint? PrometheusEndPoint => _management?.PrometheusEndPoint;

    private static IPEndPoint Loopback(IPEndPoint endPoint)
    {
        var address = endPoint.Address;
        if (address.Equals(IPAddress.Any)) address = IPAddress.Loopback;
        if (address.Equals(IPAddress.IPv6Any)) address = IPAddress.IPv6Loopback;
        return new IPEndPoint(address, endPoint.Port);
    }

    /// <summary>The broker model (virtual hosts, queues, users), for inspection and embedding.</summary>
    public Broker.Broker Broker { get; }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint => _listener.LocalEndPoint;

    /// <summary>The port the server listens on (the real one when 0 was asked for).</summary>
    public int Port => _listener.LocalEndPoint.Port;

    /// <summary>The URI a client on this machine connects with, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@{Loopback(EndPoint)}/");

    /// <summary>Open client connections.</summary>
    public int ConnectionCount => _listener.ConnectionCount;

    /// <summary>Starts a server with the given options (the defaults when null).</summary>
    public static async Task<WarrenServer> StartAsync(WarrenServerOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        options ??= WarrenServerOptions.Default;
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        loggerFactory ??= NullLoggerFactory.Instance;
        var broker = new Broker.Broker(new Broker.BrokerOptions
        {
            DataDirectory = options.DataDirectory,
            DiskFreeLimit = options.DiskFreeLimit,
            MemoryHighWatermark = options.MemoryHighWatermark,
        }, loggerFactory);
        AmqpListener? listener = null;
        try
        {
            listener = new AmqpListener(broker, new IPEndPoint(options.BindAddress, options.Port), options.Amqp, loggerFactory);
            ManagementServer? management = null;
            if (options.ManagementPort is not null || options.PrometheusPort is not null)
            {
                var bound = listener.LocalEndPoint;
                management = await ManagementServer.StartAsync(broker, ManagementOptions.Default with
                {
                    BindAddress = options.ManagementBindAddress ?? options.BindAddress,
                    Port = options.ManagementPort,
                    PrometheusPort = options.PrometheusPort,
                    AmqpListeners = [new ListenerInfo("amqp", bound.Address.ToString(), bound.Port)],
                }, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            return new WarrenServer(broker, listener, management);
        }
        catch
        {
            if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
            broker.Dispose();
            throw;
        }
    }

    /// <summary>Closes every connection (CONNECTION_FORCED, as RabbitMQ at shutdown), stops listening and closes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_management is not null) await _management.DisposeAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        Broker.Dispose();
    }
}
