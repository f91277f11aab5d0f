using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Amqp.Listening;
using Warren.Broker.Definitions;
using Warren.Amqp.Listening.Tls;
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
    private readonly AmqpListener? _listener;
    private readonly AmqpListener? _tlsListener;
    private ManagementServer? _management;

    private WarrenServer(Broker.Broker broker, AmqpListener? listener, AmqpListener? tlsListener, TlsContext? tls)
    {
        Broker = broker;
        _listener = listener;
        _tlsListener = tlsListener;
        Tls = tls;
    }

    /// <summary>Where the management HTTP API listens; null when it is off.</summary>
    public IPEndPoint? ManagementEndPoint => _management?.ApiEndPoint;

    /// <summary>The management API's base URI, e.g. <c>http://127.0.0.1:15672/</c>; null when it is off.</summary>
    public Uri? ManagementUri => ManagementEndPoint is { } endPoint ? new Uri($"http://{Reachable(endPoint)}/") : null;

    /// <summary>Where the Prometheus endpoint listens; null when it is off.</summary>
    public IPEndPoint? PrometheusEndPoint => _management?.PrometheusEndPoint;

    /// <summary>The broker model (virtual hosts, queues, users), for inspection and embedding.</summary>
    public Broker.Broker Broker { get; }

    /// <summary>
    /// The server's TLS certificate and client-certificate checks when TLS is configured: what the
    /// AMQPS listener uses, and what any other TLS endpoint of the server (HTTPS) is to use.
    /// </summary>
    public TlsContext? Tls { get; }

    /// <summary>Where the plain AMQP listener listens.</summary>
    /// <exception cref="InvalidOperationException">The server runs without a plain listener.</exception>
    public IPEndPoint EndPoint => (_listener ?? throw new InvalidOperationException("This server has no plain AMQP listener (EnablePlainListener = false); see TlsEndPoint.")).LocalEndPoint;

    /// <summary>The port the plain listener listens on (the real one when 0 was asked for).</summary>
    public int Port => EndPoint.Port;

    /// <summary>The URI a client on this machine connects with, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@{Reachable(EndPoint)}/");

    /// <summary>Where the AMQPS listener listens; null without TLS.</summary>
    public IPEndPoint? TlsEndPoint => _tlsListener?.LocalEndPoint;

    /// <summary>
    /// The URI of the AMQPS listener for a client on this machine, with the host name <c>localhost</c>
    /// (the name a test certificate is usually made for), e.g. <c>amqps://guest:guest@localhost:5671/</c>; null without TLS.
    /// </summary>
    public Uri? AmqpsUri => TlsEndPoint is { } tls ? new Uri($"amqps://guest:guest@localhost:{tls.Port}/") : null;

    /// <summary>Open client connections, on every listener.</summary>
    public int ConnectionCount => (_listener?.ConnectionCount ?? 0) + (_tlsListener?.ConnectionCount ?? 0);

    private static IPEndPoint Reachable(IPEndPoint endPoint)
    {
        var address = endPoint.Address;
        if (address.Equals(IPAddress.Any)) address = IPAddress.Loopback;
        if (address.Equals(IPAddress.IPv6Any)) address = IPAddress.IPv6Loopback;
        return new IPEndPoint(address, endPoint.Port);
    }

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
            DefaultUser = options.DefaultUser,
            DefaultPassword = options.DefaultPassword,
        }, loggerFactory);
        TlsContext? tls = null;
        AmqpListener? listener = null;
        WarrenServer? server = null;
        try
        {
            if (options.DefinitionsFile is { } file)
            {
                // Imported before the listener opens, so clients see the definitions from their first connection (RabbitMQ's load_definitions).
                broker.ImportDefinitions(BrokerDefinitions.Parse(File.ReadAllBytes(file)));
                loggerFactory.CreateLogger<WarrenServer>().LogInformation("Imported definitions from {File}", file);
            }
            if (options.Tls is not null) tls = new TlsContext(options.Tls, loggerFactory.CreateLogger("Warren.Tls"));
            if (options.EnablePlainListener) listener = new AmqpListener(broker, new IPEndPoint(options.BindAddress, options.Port), options.Amqp, loggerFactory);
            var tlsListener = tls is null ? null : new AmqpListener(broker, new IPEndPoint(options.BindAddress, options.TlsPort), options.Amqp, loggerFactory, tls);
            server = new WarrenServer(broker, listener, tlsListener, tls);
            if (options.ManagementPort is not null || options.PrometheusPort is not null)
            {
                server._management = await ManagementServer.StartAsync(broker, ManagementOptions.Default with
                {
                    BindAddress = options.ManagementBindAddress ?? options.BindAddress,
                    Port = options.ManagementPort,
                    PrometheusPort = options.PrometheusPort,
                    AmqpListeners = Listeners(listener, tlsListener),
                }, loggerFactory, cancellationToken).ConfigureAwait(false);
            }
            return server;
        }
        catch when (server is not null)
        {
            // The server owns its listeners, TLS context and broker: one dispose releases them once.
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        catch
        {
            if (listener is not null) await listener.DisposeAsync().ConfigureAwait(false);
            tls?.Dispose();
            broker.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the TLS certificate, key and CA files again, for new connections (the <c>warren</c>
    /// executable calls it on SIGHUP). False when there is no TLS or the files could not be read
    /// (the previous certificate then stays, and the error is logged).
    /// </summary>
    public bool ReloadTls() => Tls?.Reload() ?? false;

    private static List<ListenerInfo> Listeners(AmqpListener? plain, AmqpListener? tls)
    {
        var listeners = new List<ListenerInfo>();
        if (plain is not null) listeners.Add(new ListenerInfo("amqp", plain.LocalEndPoint.Address.ToString(), plain.LocalEndPoint.Port));
        if (tls is not null) listeners.Add(new ListenerInfo("amqp/ssl", tls.LocalEndPoint.Address.ToString(), tls.LocalEndPoint.Port));
        return listeners;
    }

    /// <summary>Closes every connection (CONNECTION_FORCED, as RabbitMQ at shutdown), stops listening and closes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_management is not null) await _management.DisposeAsync().ConfigureAwait(false);
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        if (_tlsListener is not null) await _tlsListener.DisposeAsync().ConfigureAwait(false);
        Tls?.Dispose();
        Broker.Dispose();
    }
}
