using Warren.Amqp.Protocol;
using Warren.Broker.Text;

namespace Warren.Amqp.Connections;

/// <summary>
/// A protocol error to report to the client: a channel error (the channel closes) or a
/// connection error (the connection closes), with RabbitMQ's reply code and text.
/// </summary>
internal sealed class AmqpException : Exception
{
    public AmqpException(ushort replyCode, string text, uint methodId, bool closesConnection)
        : base(text)
    {
        ReplyCode = replyCode;
        MethodId = methodId;
        ClosesConnection = closesConnection;
    }

    public ushort ReplyCode { get; }

    /// <summary>The method that failed (class and method ids), 0 when none.</summary>
    public uint MethodId { get; }

    public bool ClosesConnection { get; }

    /// <summary>The reply text as RabbitMQ writes it: "NOT_FOUND - no queue 'q' in vhost '/'".</summary>
    public string ReplyText => Truncate($"{CodeName(ReplyCode)} - {Message}");

    /// <summary>A reply text is a short string: longer ones are cut to fit 255 bytes and end in "...".</summary>
    public static string Truncate(string text) => ShortText.Fit(text);

    /// <summary>An error that closes the connection. Soft codes (4xx) stay channel errors unless said otherwise.</summary>
    public static AmqpException Connection(ushort replyCode, string text, uint methodId = 0) => new(replyCode, text, methodId, true);

    /// <summary>A fault after which RabbitMQ drops the socket without a connection.close (an unknown method).</summary>
    public static AmqpException Drop(string text, uint methodId) => new(0, text, methodId, true) { DropsSocket = true };

    /// <summary>The connection ends at once, nothing sent.</summary>
    public bool DropsSocket { get; private init; }

    public static AmqpException Channel(ushort replyCode, string text, uint methodId) => new(replyCode, text, methodId, false);

    /// <summary>Hard error codes (5xx) close the connection whatever the caller asked.</summary>
    public static AmqpException For(ushort replyCode, string text, uint methodId) => new(replyCode, text, methodId, replyCode >= 500);

    public static string CodeName(ushort replyCode) => replyCode switch
    {
        Protocol.ReplyCode.ReplySuccess => "NORMAL",
        Protocol.ReplyCode.ConnectionForced => "CONNECTION_FORCED",
        Protocol.ReplyCode.InvalidPath => "INVALID_PATH",
        Protocol.ReplyCode.AccessRefused => "ACCESS_REFUSED",
        Protocol.ReplyCode.NotFound => "NOT_FOUND",
        Protocol.ReplyCode.ResourceLocked => "RESOURCE_LOCKED",
        Protocol.ReplyCode.PreconditionFailed => "PRECONDITION_FAILED",
        Protocol.ReplyCode.FrameError => "FRAME_ERROR",
        Protocol.ReplyCode.SyntaxError => "SYNTAX_ERROR",
        Protocol.ReplyCode.CommandInvalid => "COMMAND_INVALID",
        Protocol.ReplyCode.ChannelError => "CHANNEL_ERROR",
        Protocol.ReplyCode.UnexpectedFrame => "UNEXPECTED_FRAME",
        Protocol.ReplyCode.ResourceError => "RESOURCE_ERROR",
        Protocol.ReplyCode.NotAllowed => "NOT_ALLOWED",
        Protocol.ReplyCode.NotImplemented => "NOT_IMPLEMENTED",
        Protocol.ReplyCode.InternalError => "INTERNAL_ERROR",
        _ => "ERROR",
    };
}
