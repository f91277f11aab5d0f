namespace Warren.Messaging.Testing;

/// <summary>
/// Calls a handler in a unit test, without a bus or a broker:
/// <code>
/// var bus = new TestMessageBus();
/// await new OrderPlacedHandler(invoices).HandleAsync(new OrderPlaced("42", 10m), TestMessageContext.For&lt;OrderPlaced&gt;(bus));
/// Assert.Equal(new ChargeCard("42"), Assert.Single(bus.Sent));
/// </code>
/// </summary>
public static class TestMessageContext
{
    /// <summary>
    /// A context for a message named after <typeparamref name="TMessage"/>. Ids not given are new
    /// (correlation and conversation ids default to the message id, as for a message that starts a flow).
    /// </summary>
    public static MessageContext For<TMessage>(IMessageBus? bus = null, IReadOnlyDictionary<string, string>? headers = null, int attempt = 1,
        string? messageId = null, string? correlationId = null, string? conversationId = null, string? causationId = null,
        string? sender = null, DateTimeOffset? sentTime = null, CancellationToken cancellationToken = default) =>
        Create(MessageNames.Of<TMessage>(), bus, headers, attempt, messageId, correlationId, conversationId, causationId, sender, sentTime, cancellationToken);

    /// <summary>A context for a message named <paramref name="messageName"/> (see <see cref="For{TMessage}"/>).</summary>
    public static MessageContext Create(string messageName, IMessageBus? bus = null, IReadOnlyDictionary<string, string>? headers = null, int attempt = 1,
        string? messageId = null, string? correlationId = null, string? conversationId = null, string? causationId = null,
        string? sender = null, DateTimeOffset? sentTime = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var id = messageId ?? Guid.CreateVersion7().ToString();
        return new MessageContext(messageName, id, correlationId ?? id, conversationId ?? id, causationId, sentTime ?? DateTimeOffset.UtcNow, sender,
            headers ?? new Dictionary<string, string>(StringComparer.Ordinal), attempt, bus ?? new TestMessageBus(), cancellationToken);
    }
}

/// <summary>
/// An <see cref="IMessageBus"/> for handler unit tests: records what the handler publishes and
/// sends, and answers requests with the functions given to <see cref="Respond{TRequest, TResponse}"/>.
/// </summary>
public sealed class TestMessageBus : IMessageBus
{
    private readonly object _sync = new();
    private readonly List<object> _published = new();
    private readonly List<object> _sent = new();
    private readonly List<object> _requested = new();
    private readonly Dictionary<Type, Func<object, object?>> _responders = new();

    /// <summary>Events published, in order.</summary>
    public IReadOnlyList<object> Published { get { lock (_sync) return _published.ToArray(); } }

    /// <summary>Commands sent, in order.</summary>
    public IReadOnlyList<object> Sent { get { lock (_sync) return _sent.ToArray(); } }

    /// <summary>Requests made (and gathered), in order.</summary>
    public IReadOnlyList<object> Requested { get { lock (_sync) return _requested.ToArray(); } }

    /// <summary>Answers requests of type <typeparamref name="TRequest"/> with <paramref name="respond"/> (which may throw, as a faulting responder).</summary>
    public TestMessageBus Respond<TRequest, TResponse>(Func<TRequest, TResponse> respond)
    {
        lock (_sync) _responders[typeof(TRequest)] = request => respond((TRequest)request);
        return this;
    }

    /// <inheritdoc />
    public Task PublishAsync<TEvent>(TEvent message, CancellationToken cancellationToken = default) where TEvent : notnull => PublishAsync(message, null, cancellationToken);

    /// <inheritdoc />
    public Task PublishAsync<TEvent>(TEvent message, SendOptions? options, CancellationToken cancellationToken = default) where TEvent : notnull
    {
        lock (_sync) _published.Add(message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendAsync<TCommand>(TCommand message, CancellationToken cancellationToken = default) where TCommand : notnull => SendAsync(message, null, cancellationToken);

    /// <inheritdoc />
    public Task SendAsync<TCommand>(TCommand message, SendOptions? options, CancellationToken cancellationToken = default) where TCommand : notnull
    {
        lock (_sync) _sent.Add(message);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>(request, null, timeout, cancellationToken);

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>((object)request, null, timeout, cancellationToken);

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>((object)request, options, timeout, cancellationToken);

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(object request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult((TResponse)Answer(request)!);
    }

    /// <inheritdoc />
    public IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, int maxResponses = int.MaxValue, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GatherAsync<TResponse>(request, null, maxResponses, timeout, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, SendOptions? options, int maxResponses = int.MaxValue, TimeSpan? timeout = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        yield return (TResponse)Answer(request)!;
    }

    private object? Answer(object request)
    {
        Func<object, object?>? respond;
        lock (_sync)
        {
            _requested.Add(request);
            _responders.TryGetValue(request.GetType(), out respond);
        }
        return respond is null
            ? throw new InvalidOperationException($"TestMessageBus has no response for {request.GetType().Name}: call Respond<{request.GetType().Name}, TResponse>(…) first.")
            : respond(request);
    }
}
