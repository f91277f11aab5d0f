using Warren.Messaging.Configuration;

namespace Warren.Messaging;

/// <summary>Sees what a bus sends and handles; register implementations in the container (the test recorder is one).</summary>
public interface IMessageObserver
{
    /// <summary>A message was published, sent or requested (after the broker took it).</summary>
    void OnSent(MessageIntent intent, string name, object message);

    /// <summary>A handler finished a message.</summary>
    void OnHandled(MessageIntent intent, string name, object message, MessageContext context);

    /// <summary>A handler attempt threw.</summary>
    void OnFailed(MessageIntent intent, string name, MessageContext context, Exception exception);
}
