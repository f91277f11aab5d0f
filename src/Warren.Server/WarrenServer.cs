using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Amqp.Listening;
using Warren.Broker.Definitions;

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

    private WarrenServer(Broker.Broker broker, AmqpListener listener)
    {
        Broker = broker;
        _listener = listener;
    }

    /// <summary>The broker model (virtual hosts, queues, users), for inspection and embedding.</summary>
    public Broker.Broker Broker { get; }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint EndPoint => _listener.LocalEndPoint;

    /// <summary>The port the server listens on (the real one when 0 was asked for).</summary>
    public int Port => _listener.LocalEndPoint.Port;

    /// <summary>The URI a client on this machine connects with, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    public Uri AmqpUri
    {
        get
        {
            var address = EndPoint.Address;
            if (address.Equals(IPAddress.Any)) address = IPAddress.Loopback;
            if (address.Equals(IPAddress.IPv6Any)) address = IPAddress.IPv6Loopback;
            return new Uri($"amqp://guest:guest@{new IPEndPoint(address, Port)}/");
        }
    }

    /// <summary>Open client connections.</summary>
    public int ConnectionCount => _listener.ConnectionCount;

    /// <summary>Starts a server with the given options (the defaults when null).</summary>
    public static Task<WarrenServer> StartAsync(WarrenServerOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
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
        try
        {
            if (options.DefinitionsFile is { } file)
            {
                // Imported before the listener opens, so clients see the definitions from their first connection (RabbitMQ's load_definitions).
                broker.ImportDefinitions(BrokerDefinitions.Parse(File.ReadAllBytes(file)));
                loggerFactory.CreateLogger<WarrenServer>().LogInformation("Imported definitions from {File}", file);
            }
            var listener = new AmqpListener(broker, new IPEndPoint(options.BindAddress, options.Port), options.Amqp, loggerFactory);
            return Task.FromResult(new WarrenServer(broker, listener));
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    /// <summary>Closes every connection (CONNECTION_FORCED, as RabbitMQ at shutdown), stops listening and closes the data folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync().ConfigureAwait(false);
        Broker.Dispose();
    }
}
