namespace Warren.Broker.Security;

/// <summary>
/// A user's rights in one virtual host: three regular expressions matched against resource names
/// (RabbitMQ's configure/write/read). An empty expression matches nothing.
/// </summary>
/// <param name="User">The user.</param>
/// <param name="VirtualHost">The virtual host.</param>
/// <param name="Configure">Declare and delete exchanges and queues.</param>
/// <param name="Write">Publish to exchanges, bind to queues and exchanges (as the destination of the data).</param>
/// <param name="Read">Consume and get from queues, bind from exchanges (as the source of the data), purge.</param>
public sealed record Permission(string User, string VirtualHost, string Configure, string Write, string Read);

/// <summary>
/// A user's rights on the routing keys of one topic exchange (RabbitMQ's topic permissions):
/// write is matched against a publish's routing key, read against a binding's key.
/// </summary>
/// <param name="User">The user.</param>
/// <param name="VirtualHost">The virtual host.</param>
/// <param name="Exchange">The topic exchange.</param>
/// <param name="Write">Routing keys it may publish with.</param>
/// <param name="Read">Binding keys it may bind with (queue.bind and exchange.bind from the exchange).</param>
public sealed record TopicPermission(string User, string VirtualHost, string Exchange, string Write, string Read);

/// <summary>Which of the three permissions an operation needs.</summary>
public enum AccessKind
{
    /// <summary>Create or destroy the resource.</summary>
    Configure,
    /// <summary>Put data into the resource.</summary>
    Write,
    /// <summary>Take data out of the resource.</summary>
    Read,
}

/// <summary>What is being accessed, as RabbitMQ names it in its refusals.</summary>
public enum ResourceKind
{
    /// <summary>An exchange.</summary>
    Exchange,
    /// <summary>A queue.</summary>
    Queue,
}
