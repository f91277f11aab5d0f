namespace Warren.Messaging;

/// <summary>The headers Warren puts on messages, beside the AMQP properties message-id, correlation-id, reply-to, type, timestamp, app-id and content-type.</summary>
public static class WarrenHeaders
{
    /// <summary><c>event</c>, <c>command</c>, <c>request</c> or <c>reply</c>.</summary>
    public const string Intent = "warren-intent";
    /// <summary>The id shared by every message of one flow (the first message's id).</summary>
    public const string ConversationId = "warren-conversation-id";
    /// <summary>The id of the message whose handler sent this one.</summary>
    public const string CausationId = "warren-causation-id";
    /// <summary>The send time, ISO 8601 with milliseconds (the AMQP timestamp has whole seconds).</summary>
    public const string SentTime = "warren-sent-time";
    /// <summary>On a fault reply: the responder's exception type.</summary>
    public const string FaultType = "warren-fault-type";
    /// <summary>On a fault reply: the exception's message.</summary>
    public const string FaultMessage = "warren-fault-message";
    /// <summary>Delayed retries done so far.</summary>
    public const string DelayedRetries = "warren-delayed-retries";
    /// <summary>On a delayed retry: the handler attempts made so far, in every earlier delivery.</summary>
    public const string Attempts = "warren-attempts";
    /// <summary>The prefix of every header the error queue adds; replay removes them.</summary>
    public const string ErrorPrefix = "warren-error-";
    /// <summary>In the error queue: the exception type.</summary>
    public const string ErrorType = "warren-error-type";
    /// <summary>In the error queue: the exception message.</summary>
    public const string ErrorMessage = "warren-error-message";
    /// <summary>In the error queue: the stack trace.</summary>
    public const string ErrorStackTrace = "warren-error-stack-trace";
    /// <summary>In the error queue: the queue the message failed in (where replay returns it).</summary>
    public const string ErrorQueue = "warren-error-queue";
    /// <summary>In the error queue: the service that failed it.</summary>
    public const string ErrorService = "warren-error-service";
    /// <summary>In the error queue: when it failed.</summary>
    public const string ErrorTime = "warren-error-time";
    /// <summary>In the error queue: attempts made.</summary>
    public const string ErrorAttempts = "warren-error-attempts";
}
