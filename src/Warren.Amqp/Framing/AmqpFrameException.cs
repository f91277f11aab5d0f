namespace Warren.Amqp.Framing;

/// <summary>
/// The byte stream broke the framing rules (bad frame-end, oversize, unknown type). The
/// connection is out of sync and must be closed with <see cref="ReplyCode"/> and
/// <see cref="Exception.Message"/> as the reply text (RabbitMQ's wording, "FRAME_ERROR - ...").
/// </summary>
public sealed class AmqpFrameException : Exception
{
    public AmqpFrameException() : this(Protocol.ReplyCode.FrameError, "FRAME_ERROR") { }

    public AmqpFrameException(string message) : this(Protocol.ReplyCode.FrameError, message) { }

    public AmqpFrameException(string message, Exception innerException)
        : base(message, innerException) => ReplyCode = Protocol.ReplyCode.FrameError;

    public AmqpFrameException(ushort replyCode, string text) : base(text) => ReplyCode = replyCode;

    /// <summary>The connection.close reply code, 501 FRAME_ERROR for every framing error.</summary>
    public ushort ReplyCode { get; }
}
