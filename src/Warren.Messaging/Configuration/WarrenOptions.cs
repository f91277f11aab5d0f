using System.Reflection;
using Warren.Messaging.Topology;
using Warren.Messaging.Transports;
using Warren.Messaging.Transports.Amqp;
using Warren.Messaging.Transports.InProcess;

namespace Warren.Messaging.Configuration;

/// <summary>
/// Everything <c>services.AddWarren(o => …)</c> configures: the service's name, the transport,
/// the handlers and the reliability settings. Validated when the bus starts.
/// </summary>
public sealed class WarrenOptions
{
    private readonly List<HandlerRegistration> _handlers = new();
    private readonly Dictionary<string, EndpointSettings> _endpoints = new(StringComparer.Ordinal);
    private readonly List<object> _filters = new();
    private readonly Dictionary<Type, Action<RetryOptions>> _messageRetries = new();
    private readonly Dictionary<Type, Action<RetryOptions>> _handlerRetries = new();
    private AmqpTransportOptions? _amqp;

    /// <summary>
    /// The service's name (required): its events queue, error queue and reply queues are named
    /// after it, and instances of one service share its queues.
    /// </summary>
    public string ServiceName { get; set; } = "";

    /// <summary>Identifies this instance; names its reply queue. Default: a random 12-character id.</summary>
    public string InstanceId { get; set; } = Guid.NewGuid().ToString("N")[..12];

    /// <summary>
    /// Put before the name of every exchange and queue the bus declares, joined with a dot
    /// (<c>shop</c> → <c>shop.warren.events</c>, <c>shop.billing</c>, <c>shop.ship-order</c>), so
    /// that unrelated systems share one broker without colliding. Message names (routing keys) do
    /// not change. Every service of one system must use the same prefix. Default empty: today's names.
    /// </summary>
    public string SystemPrefix { get; set; } = "";

    /// <summary>The topic exchange that events are published to, routed by event name. Default <c>warren.events</c>.</summary>
    public string EventsExchange { get; set; } = "warren.events";

    /// <summary>The topic exchange that requests are published to, routed by request name. Default <c>warren.requests</c>.</summary>
    public string RequestsExchange { get; set; } = "warren.requests";

    /// <summary>How long <see cref="IMessageBus.RequestAsync{TResponse}(object, TimeSpan?, CancellationToken)"/> and gathering wait by default. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping waits for in-flight handlers and requests. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Unacknowledged messages per endpoint the broker may push at once. Default 32.</summary>
    public ushort Prefetch { get; set; } = 32;

    /// <summary>Messages each endpoint handles at the same time. Default 4.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Retry policy for failing handlers.</summary>
    public RetryOptions Retries { get; } = new();

    /// <summary>How bodies are serialised. Default: System.Text.Json's web defaults (camelCase names).</summary>
    public System.Text.Json.JsonSerializerOptions JsonSerializerOptions { get; set; } = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>RabbitMQ 3.8+'s default <c>max_message_size</c>, and a Warren server's: 128 MiB.</summary>
    public const int DefaultMaxMessageSize = 128 * 1024 * 1024;

    /// <summary>
    /// The largest message body in bytes this service sends and receives. Default
    /// <see cref="DefaultMaxMessageSize"/> (128 MiB), the default limit of RabbitMQ 3.8+ and of a
    /// Warren server. Set it to the broker's limit (RabbitMQ <c>max_message_size</c>, at most
    /// 512 MiB; Warren <c>AmqpOptions.MaxMessageSize</c>): a larger message fails at publish with
    /// <see cref="MessageTooLargeException"/>, and the AMQP client accepts inbound messages up to
    /// it (RabbitMQ.Client's own default, 64 MiB, would drop the connection on a message the
    /// broker accepted, and again on every redelivery).
    /// </summary>
    public int MaxMessageSize { get; set; } = DefaultMaxMessageSize;

    /// <summary>Messages are persistent (delivery mode 2). Default true.</summary>
    public bool Persistent { get; set; } = true;

    /// <summary>Creates the transport; set by <see cref="UseInProcess"/>, <see cref="UseAmqp(Uri, Action{AmqpTransportOptions}?)"/> or <see cref="UseTransport"/>.</summary>
    public Func<IServiceProvider, ITransport>? TransportFactory { get; set; }

    /// <summary>The handlers registered so far.</summary>
    public IReadOnlyList<HandlerRegistration> Handlers => _handlers;

    /// <summary>Per-queue prefetch and concurrency overrides.</summary>
    public IReadOnlyDictionary<string, EndpointSettings> Endpoints => _endpoints;

    /// <summary>Uses an embedded Warren broker in this process (<see cref="InProcessTransport.SharedBroker"/> when none is given).</summary>
    public WarrenOptions UseInProcess(Warren.Broker.Broker? broker = null, string virtualHost = "/")
    {
        TransportFactory = _ => new InProcessTransport(broker ?? InProcessTransport.SharedBroker, virtualHost);
        return this;
    }

    /// <summary>
    /// Uses AMQP 0-9-1 over RabbitMQ.Client: a Warren server or RabbitMQ. Settings made before
    /// (from configuration, or an earlier call) stay unless <paramref name="configure"/> changes them.
    /// </summary>
    public WarrenOptions UseAmqp(Uri uri, Action<AmqpTransportOptions>? configure = null)
    {
        var options = Amqp;
        options.Uri = uri;
        configure?.Invoke(options);
        TransportFactory = services =>
        {
            options.MaxInboundMessageSize = MaxMessageSize;
            return new AmqpTransport(options, ServiceName, services);
        };
        return this;
    }

    /// <summary>The AMQP transport's settings (what <see cref="UseAmqp(Uri, Action{AmqpTransportOptions}?)"/> and configuration binding change).</summary>
    public AmqpTransportOptions Amqp => _amqp ??= new AmqpTransportOptions();

    /// <summary>Uses AMQP 0-9-1 at <paramref name="uri"/>, e.g. <c>amqp://guest:guest@localhost:5672/</c>.</summary>
    public WarrenOptions UseAmqp(string uri, Action<AmqpTransportOptions>? configure = null) => UseAmqp(new Uri(uri), configure);

    /// <summary>Uses a custom transport.</summary>
    public WarrenOptions UseTransport(Func<IServiceProvider, ITransport> factory)
    {
        TransportFactory = factory;
        return this;
    }

    /// <summary>
    /// Registers a handler class for every handler interface it implements. For event handlers,
    /// <paramref name="topic"/> subscribes by topic pattern (<c>orders.*</c>, <c>orders.#</c>)
    /// instead of the event's own name.
    /// </summary>
    public WarrenOptions AddHandler<THandler>(string? topic = null) where THandler : class => AddHandler(typeof(THandler), topic);

    /// <summary>Registers a handler class (see <see cref="AddHandler{THandler}"/>).</summary>
    public WarrenOptions AddHandler(Type handlerType, string? topic = null) => Add(handlerType, topic, perInstance: false);

    /// <summary>
    /// Registers a handler class whose events and requests reach <em>every instance</em> of the
    /// service, not one of them: each instance consumes its own queue
    /// (<c>&lt;service&gt;.instance.&lt;instance&gt;</c>, exclusive, deleted when the instance stops).
    /// For events every instance must see (cache invalidation, configuration changes) and for
    /// requests gathered from every instance (<see cref="IMessageBus.GatherAsync{TResponse}(object, int, TimeSpan?, CancellationToken)"/>).
    /// Events published while an instance is down are not kept for it. Commands cannot be
    /// per-instance.
    /// </summary>
    public WarrenOptions AddInstanceHandler<THandler>(string? topic = null) where THandler : class => Add(typeof(THandler), topic, perInstance: true);

    /// <summary>Registers a per-instance handler class (see <see cref="AddInstanceHandler{THandler}"/>).</summary>
    public WarrenOptions AddInstanceHandler(Type handlerType, string? topic = null) => Add(handlerType, topic, perInstance: true);

    private WarrenOptions Add(Type handlerType, string? topic, bool perInstance)
    {
        var found = HandlerRegistration.For(handlerType, topic, perInstance);
        if (found.Count == 0) throw new ArgumentException($"{handlerType} implements no IHandleEvent<>, IHandleCommand<> or IHandleRequest<,>.", nameof(handlerType));
        foreach (var registration in found)
        {
            if (!_handlers.Contains(registration)) _handlers.Add(registration);
        }
        return this;
    }

    /// <summary>Registers every concrete handler class in <paramref name="assembly"/>.</summary>
    public WarrenOptions AddHandlersFromAssembly(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsAbstract || type.IsInterface || type.IsGenericTypeDefinition) continue;
            foreach (var registration in HandlerRegistration.For(type, null))
            {
                if (!_handlers.Contains(registration)) _handlers.Add(registration);
            }
        }
        return this;
    }

    /// <summary>
    /// Adds a send filter, a handle filter or both (by the interfaces <typeparamref name="TFilter"/>
    /// implements: <see cref="ISendFilter"/>, <see cref="IHandleFilter"/>). Filters are singletons
    /// resolved from the container (registered as such when not registered yet) and run in the
    /// order added, the first outermost; filters registered in the container directly as
    /// <see cref="ISendFilter"/> or <see cref="IHandleFilter"/> run after these, in registration order.
    /// </summary>
    public WarrenOptions AddFilter<TFilter>() where TFilter : class => AddFilter(typeof(TFilter));

    /// <summary>Adds a filter class (see <see cref="AddFilter{TFilter}"/>).</summary>
    public WarrenOptions AddFilter(Type filterType)
    {
        if (!typeof(ISendFilter).IsAssignableFrom(filterType) && !typeof(IHandleFilter).IsAssignableFrom(filterType))
        {
            throw new ArgumentException($"{filterType} implements neither ISendFilter nor IHandleFilter.", nameof(filterType));
        }
        if (!_filters.Contains(filterType)) _filters.Add(filterType);
        return this;
    }

    /// <summary>Adds a filter object (an <see cref="ISendFilter"/>, an <see cref="IHandleFilter"/> or both).</summary>
    public WarrenOptions AddFilter(object filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter is not (ISendFilter or IHandleFilter)) throw new ArgumentException($"{filter.GetType()} implements neither ISendFilter nor IHandleFilter.", nameof(filter));
        _filters.Add(filter);
        return this;
    }

    /// <summary>The filters added here: types and objects, in order.</summary>
    public IReadOnlyList<object> Filters => _filters;

    /// <summary>
    /// The retry policy of messages of type <typeparamref name="TMessage"/>: starts from
    /// <see cref="Retries"/>' counts; its exception rules are tried before the global ones.
    /// </summary>
    public WarrenOptions RetriesFor<TMessage>(Action<RetryOptions> configure)
    {
        _messageRetries[typeof(TMessage)] = configure;
        return this;
    }

    /// <summary>
    /// The retry policy of the messages <typeparamref name="THandler"/> fails: starts from
    /// <see cref="Retries"/>' counts; its exception rules are tried before the message type's
    /// (<see cref="RetriesFor{TMessage}"/>) and the global ones. Takes precedence over both.
    /// </summary>
    public WarrenOptions RetriesForHandler<THandler>(Action<RetryOptions> configure)
    {
        _handlerRetries[typeof(THandler)] = configure;
        return this;
    }

    /// <summary>The retry policy that applies when <paramref name="handler"/> fails.</summary>
    internal RetryPolicy RetryPolicyFor(HandlerRegistration handler)
    {
        _handlerRetries.TryGetValue(handler.HandlerType, out var byHandler);
        _messageRetries.TryGetValue(handler.MessageType, out var byMessage);
        if (byHandler is null && byMessage is null) return RetryPolicy.From(Retries, Retries, null, null);
        var scoped = new RetryOptions { Immediate = Retries.Immediate };
        foreach (var delay in Retries.Delays) scoped.Delays.Add(delay);
        byMessage?.Invoke(scoped);
        var messageRules = scoped.Rules.ToArray();
        byHandler?.Invoke(scoped);
        scoped.Validate($"The retry policy of {(byHandler is null ? handler.MessageType : handler.HandlerType)}");
        // Handler rules (added last) first, then the message type's, then the global ones.
        return RetryPolicy.From(scoped, Retries, scoped.Rules.Skip(messageRules.Length).ToArray(), messageRules);
    }

    /// <summary>Sets prefetch and concurrency for one queue (the service queue or a command queue).</summary>
    public WarrenOptions ConfigureEndpoint(string queue, ushort prefetch, int concurrency)
    {
        _endpoints[queue] = new EndpointSettings(prefetch, concurrency);
        return this;
    }

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ServiceName)) throw new InvalidOperationException("WarrenOptions.ServiceName is required (e.g. o.ServiceName = \"billing\").");
        if (TransportFactory is null) throw new InvalidOperationException("WarrenOptions needs a transport: call o.UseInProcess() or o.UseAmqp(uri).");
        if (Prefetch == 0) throw new InvalidOperationException("WarrenOptions.Prefetch must be at least 1.");
        if (Concurrency < 1) throw new InvalidOperationException("WarrenOptions.Concurrency must be at least 1.");
        if (MaxMessageSize is < 1 or > MaxBrokerMessageSize)
        {
            throw new InvalidOperationException($"WarrenOptions.MaxMessageSize must be between 1 and {MaxBrokerMessageSize} bytes (512 MiB, RabbitMQ's ceiling for max_message_size); it is {MaxMessageSize}.");
        }
        if (RequestTimeout <= TimeSpan.Zero) throw new InvalidOperationException("WarrenOptions.RequestTimeout must be positive.");
        Retries.Validate("WarrenOptions.Retries");
        if (SystemPrefix.Length > 0 && !TopologyNames.IsValidPrefix(SystemPrefix))
        {
            throw new InvalidOperationException($"WarrenOptions.SystemPrefix '{SystemPrefix}' may contain only letters, digits, '.', '-' and '_', and may not start or end with '.'.");
        }
        foreach (var registration in _handlers)
        {
            if (registration.PerInstance && registration.Intent == MessageIntent.Command)
            {
                throw new InvalidOperationException($"{registration.HandlerType} handles command '{registration.MessageName}' and is registered with AddInstanceHandler: a command goes to one instance by nature; register it with AddHandler.");
            }
        }
    }

    // RabbitMQ refuses a max_message_size above 512 MiB.
    private const int MaxBrokerMessageSize = 512 * 1024 * 1024;

    // Queues are named with or without the system prefix.
    internal EndpointSettings EndpointFor(string queue) =>
        _endpoints.TryGetValue(queue, out var settings)
        || (SystemPrefix.Length > 0 && queue.StartsWith(SystemPrefix + ".", StringComparison.Ordinal) && _endpoints.TryGetValue(queue[(SystemPrefix.Length + 1)..], out settings))
            ? settings : new EndpointSettings(Prefetch, Concurrency);
}

/// <summary>Prefetch and concurrency of one consuming endpoint.</summary>
/// <param name="Prefetch">Unacknowledged messages at once.</param>
/// <param name="Concurrency">Handlers running at once.</param>
public sealed record EndpointSettings(ushort Prefetch, int Concurrency);

/// <summary>
/// What happens when a handler throws: <see cref="Immediate"/> retries in the same delivery, then
/// one delayed retry per entry of <see cref="Delays"/>, then the error queue (a request's fault
/// goes back to the requester instead). Exception rules change that for some exceptions:
/// <c>r.DoNotRetry&lt;ValidationException&gt;()</c>, <c>r.On&lt;TimeoutException&gt;(immediate: 5, TimeSpan.FromSeconds(10))</c>.
/// The first rule whose type the exception is (or derives from) decides, in the order added.
/// </summary>
public sealed class RetryOptions
{
    private readonly List<ExceptionRetryRule> _rules = new();

    /// <summary>Retries straight away, in the same delivery. Default 2 (three attempts).</summary>
    public int Immediate { get; set; } = 2;

    /// <summary>
    /// Delayed retries after the immediate ones, each after its delay (e.g. 5 s, 30 s, 2 min).
    /// Over AMQP they use retry queues with a message TTL that dead-letter back to the queue
    /// (RabbitMQ and a Warren server both have TTL and dead-lettering). Default none.
    /// </summary>
    public IList<TimeSpan> Delays { get; } = new List<TimeSpan>();

    /// <summary>The exception rules, in the order they are tried.</summary>
    public IReadOnlyList<ExceptionRetryRule> Rules => _rules;

    /// <summary>Never retries <typeparamref name="TException"/> (and types derived from it): the first failure is final.</summary>
    public RetryOptions DoNotRetry<TException>() where TException : Exception => On<TException>(0);

    /// <summary>Never retries <paramref name="exceptionType"/> (and types derived from it).</summary>
    public RetryOptions DoNotRetry(Type exceptionType) => On(exceptionType, 0);

    /// <summary>Retries <typeparamref name="TException"/> <paramref name="immediate"/> times at once, then once after each of <paramref name="delays"/>.</summary>
    public RetryOptions On<TException>(int immediate, params TimeSpan[] delays) where TException : Exception => On(typeof(TException), immediate, delays);

    /// <summary>Retries <paramref name="exceptionType"/> <paramref name="immediate"/> times at once, then once after each of <paramref name="delays"/>.</summary>
    public RetryOptions On(Type exceptionType, int immediate, params TimeSpan[] delays)
    {
        ArgumentNullException.ThrowIfNull(exceptionType);
        if (!typeof(Exception).IsAssignableFrom(exceptionType)) throw new ArgumentException($"{exceptionType} is not an exception type.", nameof(exceptionType));
        ArgumentOutOfRangeException.ThrowIfNegative(immediate);
        foreach (var delay in delays) ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delay, TimeSpan.Zero, nameof(delays));
        _rules.Add(new ExceptionRetryRule(exceptionType, immediate, delays.ToArray()));
        return this;
    }

    internal void Validate(string where)
    {
        if (Immediate < 0) throw new InvalidOperationException($"{where}.Immediate must be 0 or more.");
        foreach (var delay in Delays)
        {
            if (delay <= TimeSpan.Zero) throw new InvalidOperationException($"{where}.Delays must all be positive.");
        }
    }
}

/// <summary>How often an exception type is retried.</summary>
/// <param name="ExceptionType">The exception type; derived types match too.</param>
/// <param name="Immediate">Retries in the same delivery.</param>
/// <param name="Delays">Delayed retries after those, one per delay.</param>
public sealed record ExceptionRetryRule(Type ExceptionType, int Immediate, IReadOnlyList<TimeSpan> Delays);
