using System.Collections.Concurrent;

namespace Warren.Broker.Security;

// Connections and channels open per user, for the user limits.
public sealed partial class UserStore
{
    private sealed class Usage
    {
        public int Connections;
        public int Channels;
    }

    private readonly ConcurrentDictionary<string, Usage> _usage = new();

    /// <summary>Connections the user has open now.</summary>
    public int ConnectionCount(string user) => _usage.TryGetValue(user, out var usage) ? Volatile.Read(ref usage.Connections) : 0;

    /// <summary>Channels the user has open now, across its connections.</summary>
    public int ChannelCount(string user) => _usage.TryGetValue(user, out var usage) ? Volatile.Read(ref usage.Channels) : 0;

    internal int AddConnections(string user, int delta) => Interlocked.Add(ref _usage.GetOrAdd(user, static _ => new Usage()).Connections, delta);

    internal int AddChannels(string user, int delta) => Interlocked.Add(ref _usage.GetOrAdd(user, static _ => new Usage()).Channels, delta);
}
