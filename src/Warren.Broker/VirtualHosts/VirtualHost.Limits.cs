using Warren.Broker.Storage;

namespace Warren.Broker.VirtualHosts;

// Vhost limits: max-connections (checked when a session opens) and max-queues (checked at declare).
public sealed partial class VirtualHost
{
    private int _connections;

    /// <summary>The limits; <see cref="VirtualHostLimits.None"/> by default.</summary>
    public VirtualHostLimits Limits { get; private set; } = VirtualHostLimits.None;

    /// <summary>Client connections open to this virtual host now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>A description shown by the management API.</summary>
    public string Description { get; set; } = "";

    /// <summary>Tags shown by the management API.</summary>
    public IReadOnlyList<string> Tags { get; set; } = [];

    /// <summary>Sets the limits (null entries: unlimited). Existing connections and queues stay; new ones are checked.</summary>
    public void SetLimits(VirtualHostLimits limits)
    {
        Limits = limits;
        if (_storage is null || _recoveringPolicies) return;
        _storage.Definitions.Append(limits.IsEmpty
            ? new DefinitionRecord("vhost-limits-", Name, Name)
            : new DefinitionRecord("vhost-limits+", Name, Name) { Limits = [limits.MaxConnections, limits.MaxQueues] });
    }

    internal void RestoreLimits(VirtualHostLimits limits) => Limits = limits;

    internal int AddConnections(int delta) => Interlocked.Add(ref _connections, delta);

    private void CheckQueueLimitLocked(string queue)
    {
        // RabbitMQ 3.10: 406 PRECONDITION_FAILED with this text.
        if (Limits.MaxQueues is { } max && max >= 0 && _queues.Count >= max)
        {
            throw new BrokerException(BrokerError.PreconditionFailed,
                $"cannot declare queue '{queue}': queue limit in vhost '{Name}' ({max}) is reached");
        }
    }
}
