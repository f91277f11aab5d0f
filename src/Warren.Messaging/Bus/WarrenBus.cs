using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warren.Messaging.Configuration;
using Warren.Messaging.Topology;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

/// <summary>
/// The bus of one service instance: declares its topology, consumes its queues, sends messages
/// and matches replies. Created by <c>services.AddWarren(…)</c> and started by its hosted service
/// (or by <see cref="StartAsync"/> directly).
/// </summary>
public sealed partial class WarrenBus : IMessageBus, IAsyncDisposable
{
    private readonly WarrenOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly IMessageObserver[] _observers;
    private readonly TopologyNames _names;
    private readonly string _eventsExchange;
    private readonly string _requestsExchange;
    private readonly string _errorQueue;
    private readonly List<IAsyncDisposable> _inbound = new();
    private readonly ConcurrentDictionary<string, PendingReply> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<HandlerRegistration, Func<object, object, MessageContext, Task<object?>>> _invokers = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private IAsyncDisposable? _replies;
    private ITransport? _transport;
    private volatile BusState _state;

    private enum BusState { Created, Running, Stopping, Stopped }

    /// <summary>Creates a bus; prefer <c>services.AddWarren(…)</c>.</summary>
    public WarrenBus(WarrenOptions options, IServiceProvider services, ILogger<WarrenBus> logger, IEnumerable<IMessageObserver> observers)
    {
        options.Validate();
        _options = options;
        _services = services;
        _logger = logger;
        _observers = observers.ToArray();
        _names = new TopologyNames(options.SystemPrefix);
        _eventsExchange = _names.Exchange(options.EventsExchange);
        _requestsExchange = _names.Exchange(options.RequestsExchange);
        _errorQueue = _names.ErrorQueue(options.ServiceName);
        Topology = TopologyConventions.PlanFor(options);
        ReplyQueue = _names.ReplyQueue(options.ServiceName, options.InstanceId);
        InstanceQueue = _names.InstanceQueue(options.ServiceName, options.InstanceId);
        BuildDispatch();
        BuildPipelines();
    }

    /// <summary>The exchanges, queues and bindings this instance declares; print it to see them.</summary>
    public TopologyPlan Topology { get; }

    /// <summary>This service's name.</summary>
    public string ServiceName => _options.ServiceName;

    /// <summary>This instance's id (<see cref="WarrenOptions.InstanceId"/>).</summary>
    public string InstanceId => _options.InstanceId;

    /// <summary>This instance's reply queue.</summary>
    public string ReplyQueue { get; }

    /// <summary>This instance's queue for per-instance handlers (declared only when it has some).</summary>
    public string InstanceQueue { get; }

    /// <summary>The names of this system's exchanges and queues (with its <see cref="WarrenOptions.SystemPrefix"/>).</summary>
    public TopologyNames Names => _names;

    /// <summary>The transport, once started.</summary>
    public ITransport Transport => _transport ?? throw new InvalidOperationException($"The Warren bus of service '{_options.ServiceName}' is not started.");

    /// <summary>True between a successful start and the beginning of stop.</summary>
    public bool IsRunning => _state == BusState.Running;

    /// <summary>Requests and gathers waiting for replies.</summary>
    public int PendingRequests => _pending.Count;

    /// <summary>Connects, declares the topology, and starts consuming the service's queues and its reply queue.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state != BusState.Created) return;
            var transport = _options.TransportFactory!(_services);
            _transport = transport;
            await transport.StartAsync(cancellationToken).ConfigureAwait(false);
            transport.ConnectionLost += OnConnectionLost;
            await transport.DeclareAsync(Topology, cancellationToken).ConfigureAwait(false);
            // The reply queue first: a handler started below may make requests at once.
            _replies = await transport.ConsumeAsync(ReplyQueue, new ConsumerSettings(Prefetch: 0, Concurrency: 1, Exclusive: true), OnReplyAsync, cancellationToken).ConfigureAwait(false);
            _state = BusState.Running;
            foreach (var queue in Topology.Queues)
            {
                if (queue.Name == ReplyQueue || queue.Name == _errorQueue) continue;
                var endpoint = _options.EndpointFor(queue.Name);
                var perInstance = queue.Name == InstanceQueue;
                var settings = new ConsumerSettings(endpoint.Prefetch, endpoint.Concurrency, Exclusive: perInstance);
                var inbound = perInstance ? _instanceEndpoint
                    : queue.Name == _names.ServiceQueue(_options.ServiceName) ? _serviceEndpoint : _commandEndpoint;
                _inbound.Add(await transport.ConsumeAsync(queue.Name, settings, (message, _) => OnMessageAsync(message, inbound), cancellationToken).ConfigureAwait(false));
            }
            _logger.LogInformation("Warren bus for service {Service} (instance {Instance}) started on the {Transport} transport", _options.ServiceName, _options.InstanceId, transport.Name);
            WarnAboutConventionNames();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Stops gracefully: stops taking new messages, lets in-flight handlers and pending requests
    /// finish (up to <see cref="WarrenOptions.ShutdownTimeout"/>, then cancels handlers), and
    /// disconnects.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_state is BusState.Stopped or BusState.Created)
            {
                _state = BusState.Stopped;
                return;
            }
            _state = BusState.Stopping;
            _abort.CancelAfter(_options.ShutdownTimeout);
            using var registration = cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort);
            foreach (var endpoint in _inbound) await endpoint.DisposeAsync().ConfigureAwait(false);
            _inbound.Clear();
            await WaitForPendingRequestsAsync().ConfigureAwait(false);
            if (_replies is not null) await _replies.DisposeAsync().ConfigureAwait(false);
            await Transport.DisposeAsync().ConfigureAwait(false);
            _state = BusState.Stopped;
            _logger.LogInformation("Warren bus for service {Service} (instance {Instance}) stopped", _options.ServiceName, _options.InstanceId);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    // A name derived from the .NET type changes with a rename: senders still on the old name then
    // reach a queue (or binding) nobody handles any more. One warning per start, listing them all.
    private void WarnAboutConventionNames()
    {
        var unnamed = new List<string>();
        foreach (var handler in _options.Handlers)
        {
            if (handler.MessageType.GetCustomAttribute<MessageAttribute>() is not null) continue;
            var entry = $"{handler.MessageType.FullName} ('{handler.MessageName}')";
            if (!unnamed.Contains(entry)) unnamed.Add(entry);
        }
        if (unnamed.Count == 0) return;
        _logger.LogWarning(
            "Service {Service} handles message types whose wire name comes from their .NET type name: {Types}. Renaming such a type changes its queue and routing key, and messages sent under the old name are no longer handled; give each a stable name with [Message(\"...\")]",
            _options.ServiceName, string.Join(", ", unnamed));
    }

    private async Task WaitForPendingRequestsAsync()
    {
        while (!_pending.IsEmpty && !_abort.IsCancellationRequested)
        {
            var waits = _pending.Values.Select(p => p.Completion).ToArray();
            try
            {
                await Task.WhenAll(waits).WaitAsync(_abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Stops the bus.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _abort.Dispose();
    }

    private void EnsureRunning()
    {
        // Draining handlers may still send while the bus stops.
        if (_state is BusState.Created or BusState.Stopped)
        {
            throw new InvalidOperationException(_state == BusState.Created
                ? $"The Warren bus of service '{_options.ServiceName}' is not started yet (it starts with the host, or call WarrenBus.StartAsync)."
                : $"The Warren bus of service '{_options.ServiceName}' is stopping or stopped.");
        }
    }
}
