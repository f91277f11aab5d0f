using System.Net;
using Warren.Broker.Clients;

namespace Warren.Amqp.Connections;

// What the management plane reads of a connection (IClientConnection). Everything here is read
// from another thread than the connection's own, so it reads fields set once or atomically.
public sealed partial class AmqpConnection
{
    private long _bytesReceived;

    /// <inheritdoc/>
    public string Protocol => "AMQP 0-9-1";

    string? IClientConnection.VirtualHost => VirtualHost?.Name;

    string? IClientConnection.User => UserName;

    /// <inheritdoc/>
    public string? AuthMechanism { get; private set; }

    /// <inheritdoc/>
    public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?>? ClientProperties { get; private set; }

    string? IClientConnection.ClientProvidedName => ClientName;

    int IClientConnection.ChannelMax => _channelMax;

    long IClientConnection.FrameMax => FrameMax;

    int IClientConnection.Heartbeat => _heartbeat;

    /// <inheritdoc/>
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <inheritdoc/>
    public long BytesSent => Output.BytesSent;

    /// <inheritdoc/>
    public bool IsTls => Security is not null;

    string IClientConnection.State => _blocked ? "blocked" : "running";

    /// <inheritdoc/>
    public IReadOnlyList<IClientChannel> Channels
    {
        get
        {
            lock (_channels) return [.. _channels.Values];
        }
    }

    void IClientConnection.Close(string reason) => CloseForced(reason);
}
