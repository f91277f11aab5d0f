namespace Warren.Broker.VirtualHosts;

/// <summary>Limits of a virtual host (RabbitMQ's vhost limits); null: unlimited.</summary>
/// <param name="MaxConnections">Most client connections to the virtual host at once.</param>
/// <param name="MaxQueues">Most queues in the virtual host.</param>
public sealed record VirtualHostLimits(long? MaxConnections = null, long? MaxQueues = null)
{
    /// <summary>No limits.</summary>
    public static VirtualHostLimits None { get; } = new();

    /// <summary>RabbitMQ's limit name.</summary>
    public const string MaxConnectionsKey = "max-connections";

    /// <summary>RabbitMQ's limit name.</summary>
    public const string MaxQueuesKey = "max-queues";

    /// <summary>True when no limit is set.</summary>
    public bool IsEmpty => MaxConnections is null && MaxQueues is null;
}
