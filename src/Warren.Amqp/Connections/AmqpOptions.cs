using Warren.Amqp.Protocol;

namespace Warren.Amqp.Connections;

/// <summary>Protocol limits the server offers clients, with RabbitMQ's defaults.</summary>
public sealed record AmqpOptions
{
    /// <summary>RabbitMQ's defaults.</summary>
    public static AmqpOptions Default { get; } = new();

    /// <summary>Largest frame offered in connection.tune (131072: RabbitMQ's default).</summary>
    public uint FrameMax { get; init; } = AmqpConstants.DefaultFrameMax;

    /// <summary>Most channels per connection offered in connection.tune (2047: RabbitMQ's default).</summary>
    public ushort ChannelMax { get; init; } = AmqpConstants.DefaultChannelMax;

    /// <summary>Heartbeat interval in seconds offered in connection.tune (60: RabbitMQ's default); 0 disables.</summary>
    public ushort Heartbeat { get; init; } = AmqpConstants.DefaultHeartbeat;

    /// <summary>Largest message body accepted (134217728 = 128 MiB: RabbitMQ's default max_message_size).</summary>
    public int MaxMessageSize { get; init; } = 128 * 1024 * 1024;

    /// <summary>Most client connections at once; further ones are closed at accept (RabbitMQ's connection_max, unlimited by default).</summary>
    public int MaxConnections { get; init; } = int.MaxValue;

    /// <summary>
    /// How long a published message's content may make no progress (no body frame) before its
    /// channel is closed with 406 PRECONDITION_FAILED (60 s: RabbitMQ's default heartbeat interval;
    /// RabbitMQ itself has no such limit). Not counted while a resource alarm stops reading.
    /// </summary>
    public TimeSpan ContentTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long to wait for connection.close-ok after the server closed a connection (RabbitMQ: 3 s).</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (FrameMax < AmqpConstants.FrameMinSize) throw new ArgumentOutOfRangeException(nameof(FrameMax), FrameMax, $"FrameMax must be at least {AmqpConstants.FrameMinSize}.");
        if (ChannelMax == 0) throw new ArgumentOutOfRangeException(nameof(ChannelMax), ChannelMax, "ChannelMax must be between 1 and 65535.");
        if (MaxConnections <= 0) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "MaxConnections must be positive.");
        if (ContentTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ContentTimeout), ContentTimeout, "ContentTimeout must be positive.");
        if (MaxMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "MaxMessageSize must be positive.");
    }
}
