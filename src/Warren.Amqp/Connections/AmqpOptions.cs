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

    /// <summary>
    /// A connection that has not finished the AMQP handshake (up to connection.open-ok) this long
    /// after it was accepted is closed (RabbitMQ's <c>handshake_timeout</c>: 10 s).
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most connections per listener still in their TLS or AMQP handshake; past it, the oldest of
    /// them is closed to make room, so sockets that never finish cannot lock clients out.
    /// </summary>
    public int MaxHandshakingConnections { get; init; } = 1000;

    /// <summary>
    /// SASL mechanisms offered in connection.start, in this order (RabbitMQ's <c>auth_mechanisms</c>,
    /// default PLAIN and AMQPLAIN). EXTERNAL is offered only on TLS connections whose client sent a
    /// verified certificate.
    /// </summary>
    public IReadOnlyList<string> AuthMechanisms { get; init; } = [Mechanisms.Plain, Mechanisms.AmqPlain];

    /// <summary>The SASL mechanisms Warren implements.</summary>
    public static class Mechanisms
    {
        /// <summary>RFC 4616: NUL user NUL password.</summary>
        public const string Plain = "PLAIN";

        /// <summary>AMQP's own: a field table with LOGIN and PASSWORD.</summary>
        public const string AmqPlain = "AMQPLAIN";

        /// <summary>RFC 4422: the user named by the verified client certificate's CN.</summary>
        public const string External = "EXTERNAL";

        /// <summary>All of them.</summary>
        public static IReadOnlyList<string> All { get; } = [Plain, AmqPlain, External];
    }

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (FrameMax < AmqpConstants.FrameMinSize) throw new ArgumentOutOfRangeException(nameof(FrameMax), FrameMax, $"FrameMax must be at least {AmqpConstants.FrameMinSize}.");
        if (ChannelMax == 0) throw new ArgumentOutOfRangeException(nameof(ChannelMax), ChannelMax, "ChannelMax must be between 1 and 65535.");
        if (MaxConnections <= 0) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "MaxConnections must be positive.");
        if (HandshakeTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "HandshakeTimeout must be positive.");
        if (MaxHandshakingConnections <= 0) throw new ArgumentOutOfRangeException(nameof(MaxHandshakingConnections), MaxHandshakingConnections, "MaxHandshakingConnections must be positive.");
        if (AuthMechanisms.Count == 0 || AuthMechanisms.Any(m => !Mechanisms.All.Contains(m)))
        {
            throw new ArgumentOutOfRangeException(nameof(AuthMechanisms), string.Join(",", AuthMechanisms),
                $"AuthMechanisms must name one or more of {string.Join(", ", Mechanisms.All)}.");
        }
        if (ContentTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ContentTimeout), ContentTimeout, "ContentTimeout must be positive.");
        if (MaxMessageSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, "MaxMessageSize must be positive.");
    }
}
