using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker.Security;
using Warren.Broker.Storage;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker;

/// <summary>Settings of the broker model.</summary>
public sealed record BrokerOptions
{
    /// <summary>In memory only, nothing written to disk.</summary>
    public static BrokerOptions Default { get; } = new();

    /// <summary>The data folder for durable definitions and persistent messages; null keeps everything in memory.</summary>
    public string? DataDirectory { get; init; }
}

/// <summary>
/// The broker: virtual hosts and users. Protocol-neutral and I/O-free apart from its data folder;
/// a protocol front end (AMQP 0-9-1, the in-process transport) drives it.
/// </summary>
public sealed class Broker : IDisposable
{
    private readonly ConcurrentDictionary<string, VirtualHost> _virtualHosts = new();

    /// <summary>Creates an in-memory broker with the default virtual host "/" and the user guest/guest (loopback only), as RabbitMQ starts.</summary>
    public Broker() : this(BrokerOptions.Default, NullLoggerFactory.Instance)
    {
    }

    /// <summary>Creates a broker; with a data folder, recovers the durable definitions and persistent messages in it.</summary>
    public Broker(BrokerOptions options, ILoggerFactory loggerFactory)
    {
        Options = options;
        AddVirtualHost("/");
        Users.AddUser("guest", "guest", loopbackOnly: true, "/");
        if (options.DataDirectory is null) return;
        var logger = loggerFactory.CreateLogger<Broker>();
        Storage = new StorageEngine(options.DataDirectory, loggerFactory.CreateLogger<StorageEngine>());
        var started = System.Diagnostics.Stopwatch.StartNew();
        var records = Storage.Definitions.Load();
        foreach (var record in records)
        {
            if (record.Op == "vhost+")
            {
                AddVirtualHost(record.VirtualHost);
                continue;
            }
            AddVirtualHost(record.VirtualHost).Recover(record, Storage, logger);
        }
        foreach (var virtualHost in _virtualHosts.Values) virtualHost.AttachStorage(Storage);
        var messages = _virtualHosts.Values.Sum(v => v.Queues.Sum(q => q.MessageCount));
        logger.LogInformation("Recovered {Definitions} definitions and {Messages} messages from {Directory} in {Elapsed} ms",
            records.Count, messages, Storage.Directory, started.ElapsedMilliseconds);
    }

    /// <summary>How it was configured.</summary>
    public BrokerOptions Options { get; }

    /// <summary>The storage engine, when the broker has a data folder.</summary>
    public StorageEngine? Storage { get; }

    /// <summary>The users who may connect.</summary>
    public UserStore Users { get; } = new();

    /// <summary>Creates a virtual host if it does not exist, and returns it.</summary>
    public VirtualHost AddVirtualHost(string name) => _virtualHosts.GetOrAdd(name, n =>
    {
        var virtualHost = new VirtualHost(n);
        if (Storage is not null) virtualHost.AttachStorage(Storage);
        return virtualHost;
    });

    /// <summary>Finds a virtual host.</summary>
    public bool TryGetVirtualHost(string name, out VirtualHost virtualHost) => _virtualHosts.TryGetValue(name, out virtualHost!);

    /// <summary>The virtual hosts (a snapshot).</summary>
    public IReadOnlyCollection<VirtualHost> VirtualHosts => _virtualHosts.Values.ToArray();

    /// <summary>Makes everything written durable and closes the data folder.</summary>
    public void Dispose()
    {
        if (Storage is null) return;
        Storage.Dispose();
        foreach (var virtualHost in _virtualHosts.Values) virtualHost.CloseStores();
        Storage.Definitions.Close();
    }
}
