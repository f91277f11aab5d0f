namespace Warren.Messaging;

/// <summary>Handles an event published with <see cref="IMessageBus.PublishAsync{TEvent}(TEvent, CancellationToken)"/>. Every subscribing service gets its own copy.</summary>
public interface IHandleEvent<in TEvent>
{
    /// <summary>Handles one event; throwing makes it retry and then go to the error queue.</summary>
    Task HandleAsync(TEvent message, MessageContext context);
}

/// <summary>Handles a command sent with <see cref="IMessageBus.SendAsync{TCommand}(TCommand, CancellationToken)"/>. The service that handles it owns the command's queue.</summary>
public interface IHandleCommand<in TCommand>
{
    /// <summary>Handles one command; throwing makes it retry and then go to the error queue.</summary>
    Task HandleAsync(TCommand message, MessageContext context);
}

/// <summary>Answers a request sent with <see cref="IMessageBus.RequestAsync{TResponse}(object, TimeSpan?, CancellationToken)"/> or gathered with <see cref="IMessageBus.GatherAsync{TResponse}(object, int, TimeSpan?, CancellationToken)"/>.</summary>
public interface IHandleRequest<in TRequest, TResponse>
{
    /// <summary>Returns the response; throwing sends a fault back to the requester (<see cref="RequestFaultedException"/>).</summary>
    Task<TResponse> HandleAsync(TRequest request, MessageContext context);
}
