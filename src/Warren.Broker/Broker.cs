using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker.Resources;
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

    /// <summary>Publishing blocks when the data folder's file system has less free space than this (50 MB: RabbitMQ's default).</summary>
    public long DiskFreeLimit { get; init; } = 50_000_000;

    /// <summary>Publishing blocks when the broker's memory use exceeds this fraction of the machine's memory (0.4: RabbitMQ's default).</summary>
    public double MemoryHighWatermark { get; init; } = 0.4;

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (DiskFreeLimit < 0) throw new ArgumentOutOfRangeException(nameof(DiskFreeLimit), DiskFreeLimit, "DiskFreeLimit must be 0 or more bytes.");
        if (MemoryHighWatermark is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MemoryHighWatermark), MemoryHighWatermark, "MemoryHighWatermark must be a fraction in (0, 1].");
    }
}

/// <summary>
/// The broker: virtual hosts and users. Protocol-neutral and I/O-free apart from its data folder;
/// a protocol front end (AMQP 0-9-1, the in-process transport) drives it.
/// </summary>
public sealed class Broker : IDisposable
{
    private readonly ConcurrentDictionary<string, VirtualHost> _virtualHosts = new();
    private bool _disposed;
    private readonly bool _recovering;

    /// <summary>Creates an in-memory broker with the default virtual host "/" and the user guest/guest (loopback only), as RabbitMQ starts.</summary>
    public Broker() : this(BrokerOptions.Default, NullLoggerFactory.Instance)
    {
    }

    /// <summary>Creates a broker; with a data folder, recovers the durable definitions and persistent messages in it.</summary>
    public Broker(BrokerOptions options, ILoggerFactory loggerFactory)
    {
        options.Validate();
        Options = options;
        AddVirtualHost("/");
        Users.AddUser("guest", "guest", loopbackOnly: true, "/");
        var logger = loggerFactory.CreateLogger<Broker>();
        Monitor = new ResourceMonitor(Alarms, options.DataDirectory, options.DiskFreeLimit, options.MemoryHighWatermark, logger);
        if (options.DataDirectory is null) return;
        Storage = new StorageEngine(options.DataDirectory, loggerFactory.CreateLogger<StorageEngine>());
        var started = System.Diagnostics.Stopwatch.StartNew();
        _recovering = true;
        var records = Storage.Definitions.Load();
        foreach (var record in records)
        {
            switch (record.Op)
            {
                case "vhost+":
                    AddVirtualHost(record.VirtualHost);
                    break;
                case "user+":
                    Users.Restore(new User(record.Name, Convert.FromBase64String(record.PasswordHash ?? ""), Convert.FromBase64String(record.Salt ?? ""),
                        record.LoopbackOnly, new HashSet<string>(record.VirtualHosts ?? [])));
                    break;
                default:
                    AddVirtualHost(record.VirtualHost).Recover(record, Storage, logger);
                    break;
            }
        }
        var storage = Storage;
        Users.Added = user => storage.Definitions.Append(new DefinitionRecord("user+", "", user.Name)
        {
            PasswordHash = Convert.ToBase64String(user.PasswordHash),
            Salt = Convert.ToBase64String(user.Salt),
            LoopbackOnly = user.LoopbackOnly,
            VirtualHosts = [.. user.VirtualHosts],
        });
        foreach (var virtualHost in _virtualHosts.Values) virtualHost.AttachStorage(Storage);
        _recovering = false;
        var messages = _virtualHosts.Values.Sum(v => v.Queues.Sum(q => q.MessageCount));
        logger.LogInformation("Recovered {Definitions} definitions and {Messages} messages from {Directory} in {Elapsed} ms",
            records.Count, messages, Storage.Directory, started.ElapsedMilliseconds);
    }

    /// <summary>How it was configured.</summary>
    public BrokerOptions Options { get; }

    /// <summary>The storage engine, when the broker has a data folder.</summary>
    public StorageEngine? Storage { get; }

    /// <summary>Resource alarms (low disk, high memory) that block publishers.</summary>
    public ResourceAlarms Alarms { get; } = new();

    /// <summary>The monitor raising <see cref="Alarms"/>; its limits may be changed at run time.</summary>
    public ResourceMonitor Monitor { get; }

    /// <summary>The open client connections, registered by the protocol front ends.</summary>
    public Clients.ClientRegistry Clients { get; } = new();

    /// <summary>When the broker started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    /// <summary>The users who may connect.</summary>
    public UserStore Users { get; } = new();

    /// <summary>Failed logins per client address, which slow further attempts from it.</summary>
    public LoginFailures LoginFailures { get; } = new();

    /// <summary>Creates a virtual host if it does not exist, and returns it.</summary>
    public VirtualHost AddVirtualHost(string name)
    {
        if (_virtualHosts.TryGetValue(name, out var existing)) return existing;
        var virtualHost = _virtualHosts.GetOrAdd(name, static n => new VirtualHost(n));
        if (Storage is not null && !_recovering && name != "/")
        {
            virtualHost.AttachStorage(Storage);
            Storage.Definitions.Append(new DefinitionRecord("vhost+", name, name));
        }
        return virtualHost;
    }

    /// <summary>Finds a virtual host.</summary>
    public bool TryGetVirtualHost(string name, out VirtualHost virtualHost) => _virtualHosts.TryGetValue(name, out virtualHost!);

    /// <summary>The virtual hosts (a snapshot).</summary>
    public IReadOnlyCollection<VirtualHost> VirtualHosts => _virtualHosts.Values.ToArray();

    /// <summary>Makes everything written durable and closes the data folder.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Monitor.Dispose();
        if (Storage is null) return;
        Storage.Dispose();
        foreach (var virtualHost in _virtualHosts.Values) virtualHost.CloseStores();
        Storage.Definitions.Close();
    }
}
