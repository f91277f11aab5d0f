using Warren.Broker.VirtualHosts;

namespace Warren.Broker.Security;

/// <summary>
/// One logged-in client connection in a virtual host, whatever its protocol: it counts against
/// the user's and the virtual host's connection limits and the user's channel limit while open,
/// and checks each operation against the user's permissions. Dispose it when the connection ends.
/// </summary>
/// <remarks>
/// Permission checks cache their last answers per resource name and drop the cache whenever the
/// user store changes, so a publisher pays a dictionary lookup, not a regular expression, per
/// message, and a permission change takes effect on open connections at once (RabbitMQ caches
/// per channel too).
/// </remarks>
public sealed class Session : IDisposable
{
    private readonly UserStore _users;
    private readonly Dictionary<(string, AccessKind), bool> _cache = new();
    private long _cacheVersion;
    private int _channels;
    private int _disposed;

    internal Session(UserStore users, User user, VirtualHost virtualHost)
    {
        _users = users;
        User = user;
        VirtualHost = virtualHost;
        _cacheVersion = users.Version;
    }

    /// <summary>Who is logged in.</summary>
    public User User { get; }

    /// <summary>The virtual host the connection opened.</summary>
    public VirtualHost VirtualHost { get; }

    /// <summary>Channels open on this connection.</summary>
    public int ChannelCount => Volatile.Read(ref _channels);

    /// <summary>Throws 403 ACCESS_REFUSED unless the user has <paramref name="access"/> on the resource (RabbitMQ's text).</summary>
    public void CheckAccess(ResourceKind kind, string name, AccessKind access)
    {
        if (IsAllowed(name, access)) return;
        _users.CheckAccess(User.Name, VirtualHost.Name, kind, name, access);
    }

    private bool IsAllowed(string name, AccessKind access)
    {
        lock (_cache)
        {
            var version = _users.Version;
            if (version != _cacheVersion)
            {
                _cache.Clear();
                _cacheVersion = version;
            }
            if (_cache.TryGetValue((name, access), out var allowed)) return allowed;
            allowed = _users.HasAccess(User.Name, VirtualHost.Name, name, access);
            // Bounded: a client cycling through names must not grow it without end.
            if (_cache.Count >= 1024) _cache.Clear();
            _cache[(name, access)] = allowed;
            return allowed;
        }
    }

    /// <summary>Throws 403 unless the routing key is allowed by the user's topic permission on <paramref name="exchange"/> (a topic exchange).</summary>
    public void CheckTopicAccess(string exchange, string routingKey, AccessKind access) =>
        _users.CheckTopicAccess(User.Name, VirtualHost.Name, exchange, routingKey, access);

    /// <summary>Counts a channel being opened; throws NOT_ALLOWED past the user's max-channels limit.</summary>
    public void OpenChannel()
    {
        var limit = CurrentLimits().MaxChannels;
        var total = _users.AddChannels(User.Name, +1);
        if (limit is { } max && max >= 0 && total > max)
        {
            _users.AddChannels(User.Name, -1);
            throw new BrokerException(BrokerError.NotAllowed,
                $"number of channels opened for user '{User.Name}' has reached the maximum allowed user limit of ({max})");
        }
        Interlocked.Increment(ref _channels);
    }

    /// <summary>Counts a channel closed.</summary>
    public void CloseChannel()
    {
        if (Interlocked.Decrement(ref _channels) < 0)
        {
            Interlocked.Increment(ref _channels);
            return;
        }
        _users.AddChannels(User.Name, -1);
    }

    private UserLimits CurrentLimits() => _users.TryGetUser(User.Name, out var current) ? current.Limits : User.Limits;

    /// <summary>Releases the connection's and its channels' places in the limits.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        var channels = Interlocked.Exchange(ref _channels, 0);
        if (channels > 0) _users.AddChannels(User.Name, -channels);
        _users.AddConnections(User.Name, -1);
        VirtualHost.AddConnections(-1);
    }
}
