using System.Reflection;
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

    /// <summary>
    /// The service's name (required): its events queue, error queue and reply queues are named
    /// after it, and instances of one service share its queues.
    /// </summary>
    public string ServiceName { get; set; } = "";

    /// <summary>Identifies this instance; names its reply queue. Default: a random 12-character id.</summary>
    public string InstanceId { get; set; } = Guid.NewGuid().ToString("N")[..12];

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

    /// <summary>Uses AMQP 0-9-1 over RabbitMQ.Client: a Warren server or RabbitMQ.</summary>
    public WarrenOptions UseAmqp(Uri uri, Action<AmqpTransportOptions>? configure = null)
    {
        var options = new AmqpTransportOptions { Uri = uri };
        configure?.Invoke(options);
        TransportFactory = services =>
        {
            options.MaxInboundMessageSize = MaxMessageSize;
            return new AmqpTransport(options, ServiceName, services);
        };
        return this;
    }

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
    public WarrenOptions AddHandler(Type handlerType, string? topic = null)
    {
        var found = HandlerRegistration.For(handlerType, topic);
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
        if (Retries.Immediate < 0) throw new InvalidOperationException("WarrenOptions.Retries.Immediate must be 0 or more.");
        foreach (var delay in Retries.Delays)
        {
            if (delay <= TimeSpan.Zero) throw new InvalidOperationException("WarrenOptions.Retries.Delays must all be positive.");
        }
    }

    // RabbitMQ refuses a max_message_size above 512 MiB.
    private const int MaxBrokerMessageSize = 512 * 1024 * 1024;

    internal EndpointSettings EndpointFor(string queue) =>
        _endpoints.TryGetValue(queue, out var settings) ? settings : new EndpointSettings(Prefetch, Concurrency);
}

/// <summary>Prefetch and concurrency of one consuming endpoint.</summary>
/// <param name="Prefetch">Unacknowledged messages at once.</param>
/// <param name="Concurrency">Handlers running at once.</param>
public sealed record EndpointSettings(ushort Prefetch, int Concurrency);

/// <summary>What happens when a handler throws.</summary>
public sealed class RetryOptions
{
    /// <summary>Retries straight away, in the same delivery. Default 2 (three attempts).</summary>
    public int Immediate { get; set; } = 2;

    /// <summary>
    /// Delayed retries after the immediate ones, each after its delay (e.g. 5 s, 30 s, 2 min).
    /// Over AMQP they use retry queues with a message TTL that dead-letter back to the queue
    /// (RabbitMQ; a Warren server needs TTL and dead-lettering). Default none.
    /// </summary>
    public IList<TimeSpan> Delays { get; } = new List<TimeSpan>();
}
