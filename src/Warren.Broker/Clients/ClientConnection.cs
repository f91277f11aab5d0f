using System.Collections.Concurrent;
using System.Net;
using Warren.Broker.Statistics;

namespace Warren.Broker.Clients;

/// <summary>
/// A client connection as operators see it, whatever protocol carries it: the AMQP front end
/// implements this so the management plane can list and close connections without knowing framing.
/// </summary>
public interface IClientConnection
{
    /// <summary>RabbitMQ's connection name: "peer:port -> local:port".</summary>
    string Name { get; }

    /// <summary>The protocol, e.g. "AMQP 0-9-1".</summary>
    string Protocol { get; }

    /// <summary>The virtual host it opened.</summary>
    string? VirtualHost { get; }

    /// <summary>The authenticated user.</summary>
    string? User { get; }

    /// <summary>The authentication mechanism used, e.g. PLAIN.</summary>
    string? AuthMechanism { get; }

    /// <summary>The client's address.</summary>
    EndPoint? RemoteEndPoint { get; }

    /// <summary>The server's address of this connection.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>When it connected.</summary>
    DateTimeOffset ConnectedAt { get; }

    /// <summary>The properties the client sent (product, version, capabilities, connection_name).</summary>
    IReadOnlyDictionary<string, object?>? ClientProperties { get; }

    /// <summary>The name the client gave itself, if any.</summary>
    string? ClientProvidedName { get; }

    /// <summary>Negotiated limits.</summary>
    int ChannelMax { get; }

    /// <summary>Negotiated frame-max.</summary>
    long FrameMax { get; }

    /// <summary>Negotiated heartbeat (seconds).</summary>
    int Heartbeat { get; }

    /// <summary>Bytes read from the client.</summary>
    long BytesReceived { get; }

    /// <summary>Bytes written to the client.</summary>
    long BytesSent { get; }

    /// <summary>Whether TLS protects it.</summary>
    bool IsTls { get; }

    /// <summary>"running", or "blocked" while a resource alarm holds its publishes.</summary>
    string State { get; }

    /// <summary>Its open channels (a snapshot).</summary>
    IReadOnlyList<IClientChannel> Channels { get; }

    /// <summary>Closes it from the server side with CONNECTION_FORCED and the reason given.</summary>
    void Close(string reason);
}

/// <summary>A channel of a client connection, as operators see it.</summary>
public interface IClientChannel
{
    /// <summary>The connection it belongs to.</summary>
    IClientConnection Connection { get; }

    /// <summary>The channel number.</summary>
    int Number { get; }

    /// <summary>Per-consumer prefetch (basic.qos global=false).</summary>
    int PrefetchCount { get; }

    /// <summary>Channel-wide prefetch (basic.qos global=true).</summary>
    int GlobalPrefetchCount { get; }

    /// <summary>Deliveries awaiting acknowledgement.</summary>
    int UnackedCount { get; }

    /// <summary>Publishes awaiting a confirm.</summary>
    int UnconfirmedCount { get; }

    /// <summary>Consumers on it.</summary>
    int ConsumerCount { get; }

    /// <summary>In confirm mode.</summary>
    bool IsConfirmMode { get; }

    /// <summary>In a transaction (tx.select).</summary>
    bool IsTransactional { get; }

    /// <summary>Its message counts.</summary>
    MessageCounters Stats { get; }
}

/// <summary>
/// The open client connections of a broker. Protocol front ends add a connection once it has
/// opened a virtual host and remove it when it ends.
/// </summary>
public sealed class ClientRegistry
{
    private readonly ConcurrentDictionary<IClientConnection, byte> _connections = new();

    /// <summary>Counts of connections and channels opened and closed since start (RabbitMQ's churn).</summary>
    public long ConnectionsOpened => Volatile.Read(ref _opened);

    /// <summary>Connections closed since start.</summary>
    public long ConnectionsClosed => Volatile.Read(ref _closed);

    private long _opened;
    private long _closed;
    private long _channelsOpened;
    private long _channelsClosed;

    /// <summary>Channels opened since start.</summary>
    public long ChannelsOpened => Volatile.Read(ref _channelsOpened);

    /// <summary>Channels closed since start.</summary>
    public long ChannelsClosed => Volatile.Read(ref _channelsClosed);

    /// <summary>Counts a channel opened (rare next to messages, so atomic).</summary>
    public void NoteChannelOpened() => Interlocked.Increment(ref _channelsOpened);

    /// <summary>Counts a channel closed.</summary>
    public void NoteChannelClosed() => Interlocked.Increment(ref _channelsClosed);

    /// <summary>Registers an open connection.</summary>
    public void Add(IClientConnection connection)
    {
        if (_connections.TryAdd(connection, 0)) Interlocked.Increment(ref _opened);
    }

    /// <summary>Forgets a connection that ended; idempotent.</summary>
    public void Remove(IClientConnection connection)
    {
        if (_connections.TryRemove(connection, out _)) Interlocked.Increment(ref _closed);
    }

    /// <summary>The open connections (a snapshot).</summary>
    public IReadOnlyList<IClientConnection> Connections => [.. _connections.Keys];

    /// <summary>The number of open connections.</summary>
    public int Count => _connections.Count;
}
