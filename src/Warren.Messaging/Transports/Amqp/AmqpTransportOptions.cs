namespace Warren.Messaging.Transports.Amqp;

/// <summary>Settings of the AMQP transport.</summary>
public sealed class AmqpTransportOptions
{
    /// <summary>The broker, e.g. <c>amqp://guest:guest@localhost:5672/</c>.</summary>
    public Uri Uri { get; set; } = new("amqp://guest:guest@localhost:5672/");

    /// <summary>Wait for publisher confirms before a publish completes. Default true.</summary>
    public bool PublisherConfirms { get; set; } = true;

    /// <summary>
    /// How long a publish waits for the connection to come back during an outage before it
    /// fails with <see cref="BrokerUnreachableException"/>. Default 10 s.
    /// </summary>
    public TimeSpan PublishOutageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long starting keeps trying to reach a broker that does not answer (not started yet,
    /// restarting), with a backoff from <see cref="StartupRetryDelay"/> doubling up to
    /// <see cref="ReconnectInterval"/>, before it fails with <see cref="BrokerUnreachableException"/>.
    /// Services and brokers can then start in any order. <see cref="TimeSpan.Zero"/> tries once. Default 2 min.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The first wait between start attempts (see <see cref="StartupTimeout"/>). Default 250 ms.</summary>
    public TimeSpan StartupRetryDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Delay between reconnection attempts. Default 2 s.</summary>
    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>x-queue-type</c> of the durable, non-exclusive, non-auto-delete queues the library declares (service, command, error and retry queues), e.g. <c>quorum</c> on a
    /// RabbitMQ cluster. Default null: the broker's default (classic).
    /// </summary>
    public string? QueueType { get; set; }

    /// <summary>
    /// Whether the broker has per-queue message TTL and dead-lettering, which delayed retries
    /// need. Default true (RabbitMQ). Set false for a broker without them: delayed retries are
    /// then skipped and failures go to the error queue after the immediate retries.
    /// </summary>
    public bool BrokerSupportsDeadLettering { get; set; } = true;

    /// <summary>RabbitMQ.Client's MaxInboundMessageBodySize: the bus sets it to <see cref="Configuration.WarrenOptions.MaxMessageSize"/>.</summary>
    internal int MaxInboundMessageSize { get; set; } = Configuration.WarrenOptions.DefaultMaxMessageSize;
}

/// <summary>The broker could not be reached within the configured time.</summary>
public sealed class BrokerUnreachableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUnreachableException(string message, Exception? inner) : base(message, inner)
    {
    }
}
