namespace Warren.Messaging;

/// <summary>
/// Sends messages in the three patterns. Inside a handler, ids flow automatically: what a
/// handler sends carries the conversation id and correlation id of the message it handles, and
/// that message's id as causation id.
/// </summary>
public interface IMessageBus
{
    /// <summary>Publishes an event to every service that subscribes to it (none is fine).</summary>
    Task PublishAsync<TEvent>(TEvent message, CancellationToken cancellationToken = default) where TEvent : notnull;

    /// <summary>Publishes an event with custom headers (read by handlers in <see cref="MessageContext.Headers"/>).</summary>
    Task PublishAsync<TEvent>(TEvent message, SendOptions? options, CancellationToken cancellationToken = default) where TEvent : notnull;

    /// <summary>Sends a command to the queue that owns it; fails with <see cref="MessageUnroutableException"/> when no service owns it.</summary>
    Task SendAsync<TCommand>(TCommand message, CancellationToken cancellationToken = default) where TCommand : notnull;

    /// <summary>Sends a command with custom headers.</summary>
    Task SendAsync<TCommand>(TCommand message, SendOptions? options, CancellationToken cancellationToken = default) where TCommand : notnull;

    /// <summary>
    /// Sends a request and waits for its response. Fails fast with
    /// <see cref="MessageUnroutableException"/> when no service handles it, with
    /// <see cref="RequestFaultedException"/> when the responder throws, with
    /// <see cref="RequestTimeoutException"/> after <paramref name="timeout"/> (default: the
    /// configured request timeout), and with <see cref="OperationCanceledException"/> on cancellation.
    /// </summary>
    Task<TResponse> RequestAsync<TResponse>(object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The same, with the response type inferred from <see cref="IRequest{TResponse}"/>.</summary>
    Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Sends a request with custom headers; fails with <see cref="MessageNotSentException"/> when a send filter stops it.</summary>
    Task<TResponse> RequestAsync<TResponse>(object request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>The same, with the response type inferred from <see cref="IRequest{TResponse}"/>.</summary>
    Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Scatter-gather: publishes a request to every service that handles it and streams the
    /// responses as they arrive, until <paramref name="maxResponses"/> have come, until
    /// <paramref name="timeout"/> passes (default: the configured request timeout) or until the
    /// caller stops or cancels. Faults from responders are skipped and logged. Ends at once when
    /// no service handles the request. One response per responding <em>service</em> (its instances
    /// share its queue), or per responding <em>instance</em> for handlers registered with
    /// <see cref="Configuration.WarrenOptions.AddInstanceHandler{THandler}"/>.
    /// </summary>
    IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, int maxResponses = int.MaxValue, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Scatter-gather with custom headers on the request.</summary>
    IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, SendOptions? options, int maxResponses = int.MaxValue, TimeSpan? timeout = null, CancellationToken cancellationToken = default);
}
