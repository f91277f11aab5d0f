namespace Warren.Amqp.Protocol;

/// <summary>Frame types, sizes and negotiation defaults of AMQP 0-9-1.</summary>
public static class AmqpConstants
{
    public const byte FrameMethod = 1;
    public const byte FrameHeader = 2;
    public const byte FrameBody = 3;
    public const byte FrameHeartbeat = 8;
    public const byte FrameEnd = 0xCE;

    /// <summary>The smallest frame-max a peer may negotiate (spec constant FRAME-MIN-SIZE).</summary>
    public const uint FrameMinSize = 4096;

    /// <summary>frame-max 131072: RabbitMQ's default.</summary>
    public const uint DefaultFrameMax = 131072;

    /// <summary>channel-max 2047: RabbitMQ's default.</summary>
    public const ushort DefaultChannelMax = 2047;

    /// <summary>Heartbeat interval in seconds: RabbitMQ's default.</summary>
    public const ushort DefaultHeartbeat = 60;

    /// <summary>
    /// Bytes a frame adds around its payload:
    /// type (1) + channel (2) + size (4) before, frame-end (1) after.
    /// </summary>
    public const int FrameOverhead = 8;

    /// <summary>Bytes of the frame header before the payload.</summary>
    public const int FrameHeaderSize = 7;

    /// <summary>"AMQP" 0 0 9 1: the header a client sends first.</summary>
    public static ReadOnlySpan<byte> ProtocolHeader => "AMQP\0\0\x09\x01"u8;
}

/// <summary>The reply codes of AMQP 0-9-1 (spec constants), used in connection.close and channel.close.</summary>
public static class ReplyCode
{
    public const ushort ReplySuccess = 200;

    // Soft errors: close the channel.
    public const ushort ContentTooLarge = 311;
    public const ushort NoRoute = 312;
    public const ushort NoConsumers = 313;
    public const ushort AccessRefused = 403;
    public const ushort NotFound = 404;
    public const ushort ResourceLocked = 405;
    public const ushort PreconditionFailed = 406;

    // Hard errors: close the connection.
    public const ushort ConnectionForced = 320;
    public const ushort InvalidPath = 402;
    public const ushort FrameError = 501;
    public const ushort SyntaxError = 502;
    public const ushort CommandInvalid = 503;
    public const ushort ChannelError = 504;
    public const ushort UnexpectedFrame = 505;
    public const ushort ResourceError = 506;
    public const ushort NotAllowed = 530;
    public const ushort NotImplemented = 540;
    public const ushort InternalError = 541;

    /// <summary>True for the codes the spec classes as hard errors (they close the connection).</summary>
    public static bool IsHardError(ushort code) =>
        code is ConnectionForced or InvalidPath or (>= 500 and < 600);

    /// <summary>The spec's name of a reply code, as RabbitMQ puts it in front of reply texts ("NOT_FOUND").</summary>
    public static string NameOf(ushort code) => code switch
    {
        ReplySuccess => "REPLY_SUCCESS",
        ContentTooLarge => "CONTENT_TOO_LARGE",
        NoRoute => "NO_ROUTE",
        NoConsumers => "NO_CONSUMERS",
        AccessRefused => "ACCESS_REFUSED",
        NotFound => "NOT_FOUND",
        ResourceLocked => "RESOURCE_LOCKED",
        PreconditionFailed => "PRECONDITION_FAILED",
        ConnectionForced => "CONNECTION_FORCED",
        InvalidPath => "INVALID_PATH",
        FrameError => "FRAME_ERROR",
        SyntaxError => "SYNTAX_ERROR",
        CommandInvalid => "COMMAND_INVALID",
        ChannelError => "CHANNEL_ERROR",
        UnexpectedFrame => "UNEXPECTED_FRAME",
        ResourceError => "RESOURCE_ERROR",
        NotAllowed => "NOT_ALLOWED",
        NotImplemented => "NOT_IMPLEMENTED",
        InternalError => "INTERNAL_ERROR",
        _ => code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
