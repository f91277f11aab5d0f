namespace Warren.Amqp.Protocol;

/// <summary>
/// Bytes from a peer that do not decode (truncated arguments, a bad field table, an unknown
/// property flag). <see cref="ReplyCode"/> is the code to close the connection with.
/// </summary>
public sealed class AmqpDecodeException : Exception
{
    public AmqpDecodeException() : this(Protocol.ReplyCode.SyntaxError, "malformed AMQP data") { }

    /// <summary>A decode error with reply code 502 SYNTAX_ERROR.</summary>
    public AmqpDecodeException(string message) : this(Protocol.ReplyCode.SyntaxError, message) { }

    public AmqpDecodeException(string message, Exception innerException)
        : base(message, innerException) => ReplyCode = Protocol.ReplyCode.SyntaxError;

    public AmqpDecodeException(ushort replyCode, string message) : base(message) => ReplyCode = replyCode;

    /// <summary>
    /// A short string that is not UTF-8 where RabbitMQ wants UTF-8: a connection error that names
    /// no method (class 0, method 0), as RabbitMQ 3.10 reports it.
    /// </summary>
    public static AmqpDecodeException MalformedShortString() =>
        new(Protocol.ReplyCode.FrameError, "Malformed UTF-8 in shortstr") { NamesNoMethod = true };

    /// <summary>The error is reported as it is, naming no method, rather than as the method's undecodable bytes.</summary>
    public bool NamesNoMethod { get; private init; }

    /// <summary>The AMQP reply code for the error, 502 SYNTAX_ERROR unless said otherwise.</summary>
    public ushort ReplyCode { get; }
}
