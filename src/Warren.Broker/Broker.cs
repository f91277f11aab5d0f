using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker.Resources;
using Warren.Broker.Parameters;
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

    /// <summary>
    /// The user created on a fresh data folder (or in memory), with the administrator tag and full
    /// permissions on "/": guest by default, as RabbitMQ's default_user.
    /// </summary>
    public string DefaultUser { get; init; } = "guest";

    /// <summary>The default user's password (RabbitMQ's default_pass).</summary>
    public string DefaultPassword { get; init; } = "guest";

    /// <summary>Users who may log in only from a loopback address (RabbitMQ's loopback_users: guest).</summary>
    public IReadOnlyList<string> LoopbackUsers { get; init; } = ["guest"];

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (DiskFreeLimit < 0) throw new ArgumentOutOfRangeException(nameof(DiskFreeLimit), DiskFreeLimit, "DiskFreeLimit must be 0 or more bytes.");
        if (MemoryHighWatermark is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(MemoryHighWatermark), MemoryHighWatermark, "MemoryHighWatermark must be a fraction in (0, 1].");
        if (string.IsNullOrEmpty(DefaultUser)) throw new ArgumentException("DefaultUser must not be empty.", nameof(DefaultUser));
    }
}

/// <summary>
/// The broker: virtual hosts, users, permissions, policies and parameters. Protocol-neutral and
/// I/O-free apart from its data folder; a protocol front end (AMQP 0-9-1, the in-process
/// transport, the management API) drives it.
/// </summary>
public sealed partial class Broker : IDisposable
{
    private readonly ConcurrentDictionary<string, VirtualHost> _virtualHosts = new();
    private bool _disposed;
    private readonly bool _recovering;

    /// <summary>Creates an in-memory broker with the default virtual host "/" and the user guest/guest (loopback only), as RabbitMQ starts.</summary>
    public Broker() : this(BrokerOptions.Default, NullLoggerFactory.Instance)
    {
    }

    /// <summary>
    /// Creates a broker; with a data folder, recovers the definitions (users, permissions,
    /// policies, parameters, exchanges, queues, bindings) and persistent messages in it. A fresh
    /// data folder (or none) gets the virtual host "/" and the default user.
    /// </summary>
    public Broker(BrokerOptions options, ILoggerFactory loggerFactory)
    {
        options.Validate();
        Options = options;
        Users = new UserStore(options.LoopbackUsers) { VirtualHostExists = name => _virtualHosts.ContainsKey(name) };
        var logger = loggerFactory.CreateLogger<Broker>();
        Monitor = new ResourceMonitor(Alarms, options.DataDirectory, options.DiskFreeLimit, options.MemoryHighWatermark, logger);
        if (options.DataDirectory is null)
        {
            Seed();
            return;
        }
        Storage = new StorageEngine(options.DataDirectory, loggerFactory.CreateLogger<StorageEngine>());
        var started = System.Diagnostics.Stopwatch.StartNew();
        _recovering = true;
        var records = Storage.Definitions.Load();
        var seeded = false;
        foreach (var record in records)
        {
            if (record.Op is "seeded+" or "user+") seeded = true;
            Recover(record, logger);
        }
        foreach (var virtualHost in _virtualHosts.Values) virtualHost.AttachStorage(Storage);
        var storage = Storage;
        Users.Log = storage.Definitions.Append;
        Parameters.Log = storage.Definitions.Append;
        _recovering = false;
        if (!seeded)
        {
            Seed();
            Storage.Definitions.Append(new DefinitionRecord("seeded+", "", ""));
        }
        var messages = _virtualHosts.Values.Sum(v => v.Queues.Sum(q => q.MessageCount));
        logger.LogInformation("Recovered {Definitions} definitions and {Messages} messages from {Directory} in {Elapsed} ms",
            records.Count, messages, Storage.Directory, started.ElapsedMilliseconds);
    }

    // What a fresh RabbitMQ node has: the virtual host "/" and the default user, an administrator
    // with every permission on it.
    private void Seed()
    {
        AddVirtualHost("/");
        Users.PutUser(Options.DefaultUser, Options.DefaultPassword, [UserTags.Administrator]);
        Users.SetPermission(new Permission(Options.DefaultUser, "/", ".*", ".*", ".*"));
    }

    /// <summary>How it was configured.</summary>
    public BrokerOptions Options { get; }

    /// <summary>The storage engine, when the broker has a data folder.</summary>
    public StorageEngine? Storage { get; }

    /// <summary>Resource alarms (low disk, high memory) that block publishers.</summary>
    public ResourceAlarms Alarms { get; } = new();

    /// <summary>The monitor raising <see cref="Alarms"/>; its limits may be changed at run time.</summary>
    public ResourceMonitor Monitor { get; }

    /// <summary>The users, their permissions, topic permissions and limits.</summary>
    public UserStore Users { get; }

    /// <summary>Runtime parameters stored as given (vhost-limits and operator_policy go through <see cref="SetParameter"/>).</summary>
    public ParameterStore Parameters { get; } = new();

    /// <summary>Told when a virtual host is deleted, so protocol front ends close its connections.</summary>
    public event Action<VirtualHost>? VirtualHostDeleted;

    /// <summary>The open client connections, registered by the protocol front ends.</summary>
    public Clients.ClientRegistry Clients { get; } = new();

    /// <summary>When the broker started.</summary>
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;


    /// <summary>Failed logins per client address, which slow further attempts from it.</summary>
    public LoginFailures LoginFailures { get; } = new();

    /// <summary>Creates a virtual host if it does not exist, and returns it.</summary>
    public VirtualHost AddVirtualHost(string name)
    {
        if (_virtualHosts.TryGetValue(name, out var existing)) return existing;
        if (string.IsNullOrEmpty(name)) throw new BrokerException(BrokerError.PreconditionFailed, "vhost name must not be empty");
        var virtualHost = _virtualHosts.GetOrAdd(name, static n => new VirtualHost(n));
        if (Storage is not null && !_recovering)
        {
            virtualHost.AttachStorage(Storage);
            Storage.Definitions.Append(new DefinitionRecord("vhost+", name, name));
        }
        return virtualHost;
    }

    /// <summary>
    /// Deletes a virtual host with everything in it (queues and their messages, exchanges,
    /// permissions, policies, parameters); false when there was none. Its connections are told
    /// through <see cref="VirtualHostDeleted"/>.
    /// </summary>
    public bool DeleteVirtualHost(string name)
    {
        if (!_virtualHosts.TryRemove(name, out var virtualHost)) return false;
        virtualHost.DeleteAll();
        Users.ForgetVirtualHost(name);
        Parameters.ForgetVirtualHost(name);
        Storage?.Definitions.Append(new DefinitionRecord("vhost-", name, name));
        VirtualHostDeleted?.Invoke(virtualHost);
        return true;
    }

    /// <summary>Finds a virtual host.</summary>
    public bool TryGetVirtualHost(string name, out VirtualHost virtualHost) => _virtualHosts.TryGetValue(name, out virtualHost!);

    /// <summary>The virtual hosts (a snapshot).</summary>
    public IReadOnlyCollection<VirtualHost> VirtualHosts => _virtualHosts.Values.ToArray();

    /// <summary>
    /// Opens a session for an authenticated user in a virtual host, as connection.open does:
    /// 530 NOT_ALLOWED with RabbitMQ's text for an unknown virtual host, a user without permissions
    /// there, or a vhost or user connection limit reached.
    /// </summary>
    public Session OpenSession(User user, string virtualHostName)
    {
        if (!_virtualHosts.TryGetValue(virtualHostName, out var virtualHost))
        {
            throw new BrokerException(BrokerError.NotAllowed, $"vhost {virtualHostName} not found");
        }
        if (!Users.CanAccess(user.Name, virtualHostName))
        {
            throw new BrokerException(BrokerError.NotAllowed, $"access to vhost '{virtualHostName}' refused for user '{user.Name}'");
        }
        var current = Users.TryGetUser(user.Name, out var latest) ? latest : user;
        var connections = virtualHost.AddConnections(+1);
        if (virtualHost.Limits.MaxConnections is { } vhostMax && vhostMax >= 0 && connections > vhostMax)
        {
            virtualHost.AddConnections(-1);
            throw new BrokerException(BrokerError.NotAllowed,
                $"access to vhost '{virtualHostName}' refused for user '{user.Name}': connection limit ({vhostMax}) is reached");
        }
        var userConnections = Users.AddConnections(user.Name, +1);
        if (current.Limits.MaxConnections is { } userMax && userMax >= 0 && userConnections > userMax)
        {
            Users.AddConnections(user.Name, -1);
            virtualHost.AddConnections(-1);
            throw new BrokerException(BrokerError.NotAllowed,
                $"connection refused for user '{user.Name}': user connection limit ({userMax}) is reached");
        }
        return new Session(Users, current, virtualHost);
    }

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
