namespace Warren.Messaging;

/// <summary>A message marked mandatory reached no queue: no service owns the command or handles the request.</summary>
public sealed class MessageUnroutableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MessageUnroutableException(string exchange, string routingKey, string message) : base(message)
    {
        Exchange = exchange;
        RoutingKey = routingKey;
    }

    /// <summary>The exchange it was published to ("" for the default exchange).</summary>
    public string Exchange { get; }

    /// <summary>The routing key it was published with.</summary>
    public string RoutingKey { get; }
}

/// <summary>
/// The broker refused an operation with a channel-level error (AMQP 403, 404, 405 or 406): a
/// queue declared with arguments that differ from the existing queue's, a fetch from a queue that
/// does not exist, … The bus keeps working: the next operation runs on a fresh channel.
/// </summary>
public sealed class BrokerRefusedException : InvalidOperationException
{
    /// <summary>Creates the exception; <paramref name="operation"/> says what was refused ("Declaring queue 'orders'").</summary>
    public BrokerRefusedException(string operation, int replyCode, string replyText, Exception? inner = null)
        : base($"{operation} failed: {replyText}", inner)
    {
        ReplyCode = replyCode;
        ReplyText = replyText;
    }

    /// <summary>The AMQP reply code: 403 access refused, 404 not found, 405 resource locked, 406 precondition failed.</summary>
    public int ReplyCode { get; }

    /// <summary>The broker's reply text, e.g. <c>PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'orders' …</c>.</summary>
    public string ReplyText { get; }
}

/// <summary>The responder's handler threw: the fault travelled back instead of a response.</summary>
public sealed class RequestFaultedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RequestFaultedException(string requestName, string? responder, string remoteExceptionType, string remoteMessage)
        : base($"Request '{requestName}' failed in service '{responder ?? "?"}': {remoteExceptionType}: {remoteMessage}")
    {
        RequestName = requestName;
        Responder = responder;
        RemoteExceptionType = remoteExceptionType;
        RemoteMessage = remoteMessage;
    }

    /// <summary>The request's message name.</summary>
    public string RequestName { get; }

    /// <summary>The service that answered with the fault.</summary>
    public string? Responder { get; }

    /// <summary>The full .NET type name of the exception thrown by the responder.</summary>
    public string RemoteExceptionType { get; }

    /// <summary>Its message.</summary>
    public string RemoteMessage { get; }
}

/// <summary>No reply came within the timeout.</summary>
public sealed class RequestTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public RequestTimeoutException(string requestName, TimeSpan timeout)
        : base($"No reply to request '{requestName}' within {timeout.TotalSeconds:0.###} s.")
    {
        RequestName = requestName;
        Timeout = timeout;
    }

    /// <summary>The request's message name.</summary>
    public string RequestName { get; }

    /// <summary>The timeout that passed.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>A queue the operation needs does not exist on the broker.</summary>
public sealed class QueueNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public QueueNotFoundException(string queue, Exception? inner = null) : base($"Queue '{queue}' does not exist.", inner)
    {
        Queue = queue;
    }

    /// <summary>The queue's name.</summary>
    public string Queue { get; }
}

/// <summary>
/// The connection to the broker was lost. A request or gather waiting for replies fails with it at
/// once: replies come to the instance's exclusive reply queue, which the broker deletes with the
/// connection. The request may or may not have been handled; send it again if it is safe to.
/// </summary>
public sealed class ConnectionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConnectionLostException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A message's body is larger than <see cref="Configuration.WarrenOptions.MaxMessageSize"/>: it was not sent.</summary>
public sealed class MessageTooLargeException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException(string messageName, long size, int maxSize)
        : base($"Message '{messageName}' is {size} bytes, larger than the maximum message size of {maxSize} bytes (WarrenOptions.MaxMessageSize, which should match the broker's max_message_size). Send large payloads by reference (a URL or a blob id) instead.")
    {
        MessageName = messageName;
        Size = size;
        MaxSize = maxSize;
    }

    /// <summary>The message's name.</summary>
    public string MessageName { get; }

    /// <summary>Its body's size in bytes.</summary>
    public long Size { get; }

    /// <summary>The limit.</summary>
    public int MaxSize { get; }
}

/// <summary>
/// A received body could not be read as the handler's message type (not JSON, or not that
/// shape). Not retried: the message goes straight to the error queue with this reason.
/// </summary>
public sealed class MessageDeserializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MessageDeserializationException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
