namespace Warren.Broker;

/// <summary>
/// Why the broker refused an operation. The values are AMQP 0-9-1 reply codes because every
/// protocol Warren may speak needs the same distinctions; a protocol maps them as it must.
/// </summary>
public enum BrokerError : ushort
{
    /// <summary>The client lacks access (403).</summary>
    AccessRefused = 403,
    /// <summary>The entity does not exist (404).</summary>
    NotFound = 404,
    /// <summary>The entity is held exclusively by another connection (405).</summary>
    ResourceLocked = 405,
    /// <summary>The request does not fit the entity's state or properties (406).</summary>
    PreconditionFailed = 406,
    /// <summary>The request is not valid in this context (503). Closes the connection.</summary>
    CommandInvalid = 503,
    /// <summary>Not allowed, e.g. an unknown virtual host (530). Closes the connection.</summary>
    NotAllowed = 530,
    /// <summary>Not implemented (540). Closes the connection.</summary>
    NotImplemented = 540,
    /// <summary>A fault inside the broker (541). Closes the connection.</summary>
    InternalError = 541,
}

/// <summary>A broker operation refused with a reason a client can act on.</summary>
public sealed class BrokerException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> reads like RabbitMQ's text after the code name.</summary>
    public BrokerException(BrokerError error, string message) : base(message) => Error = error;

    /// <summary>The kind of refusal.</summary>
    public BrokerError Error { get; }

    /// <summary>True for errors that end the whole connection rather than one channel.</summary>
    public bool IsHardError => (ushort)Error >= 500;

    internal static BrokerException NoQueue(string name, string vhost) =>
        new(BrokerError.NotFound, $"no queue '{name}' in vhost '{vhost}'");

    internal static BrokerException NoExchange(string name, string vhost) =>
        new(BrokerError.NotFound, $"no exchange '{name}' in vhost '{vhost}'");

    internal static BrokerException Locked(string queue, string vhost) =>
        new(BrokerError.ResourceLocked, $"cannot obtain exclusive access to locked queue '{queue}' in vhost '{vhost}'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.");
}
