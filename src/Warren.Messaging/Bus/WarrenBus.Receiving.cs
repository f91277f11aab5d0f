using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warren.Messaging.Configuration;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Topology;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

public sealed partial class WarrenBus
{
    /// <summary>The handlers reachable through one kind of queue, by intent and name.</summary>
    private sealed class DispatchTable
    {
        private static readonly List<HandlerRegistration> s_none = [];
        private readonly Dictionary<string, List<HandlerRegistration>> _events = new(StringComparer.Ordinal);
        private readonly List<HandlerRegistration> _eventPatterns = new();
        private readonly Dictionary<string, List<HandlerRegistration>> _commands = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<HandlerRegistration>> _requests = new(StringComparer.Ordinal); // one handler each
        // The handlers of an event (exact name plus matching patterns) by name and routing key, found once.
        private readonly ConcurrentDictionary<(string Name, string RoutingKey), List<HandlerRegistration>> _eventHandlers = new();

        public void Add(HandlerRegistration handler, string service)
        {
            switch (handler.Intent)
            {
                case MessageIntent.Event when TopicPatterns.IsPattern(handler.Topic):
                    _eventPatterns.Add(handler);
                    break;
                case MessageIntent.Event:
                    AddTo(_events, handler.Topic, handler);
                    break;
                case MessageIntent.Command:
                    AddTo(_commands, handler.MessageName, handler);
                    break;
                case MessageIntent.Request:
                    if (!_requests.TryAdd(handler.MessageName, [handler]))
                    {
                        throw new InvalidOperationException($"Service '{service}' has two handlers for request '{handler.MessageName}': {_requests[handler.MessageName][0].HandlerType} and {handler.HandlerType}.");
                    }
                    break;
            }

            static void AddTo(Dictionary<string, List<HandlerRegistration>> map, string key, HandlerRegistration handler)
            {
                if (!map.TryGetValue(key, out var list)) map[key] = list = new List<HandlerRegistration>();
                list.Add(handler);
            }
        }

        /// <summary>The handlers of a message; the list returned is shared: never change it.</summary>
        public List<HandlerRegistration> Find(MessageIntent intent, string name, string routingKey)
        {
            switch (intent)
            {
                case MessageIntent.Command:
                    return _commands.TryGetValue(name, out var commands) ? commands : s_none;
                case MessageIntent.Request:
                    return _requests.TryGetValue(name, out var request) ? request : s_none;
                default:
                    if (_eventPatterns.Count == 0) return _events.TryGetValue(name, out var exact) ? exact : s_none;
                    return _eventHandlers.GetOrAdd((name, routingKey), static (key, table) => table.Match(key.Name, key.RoutingKey), this);
            }
        }

        private List<HandlerRegistration> Match(string name, string routingKey)
        {
            var found = new List<HandlerRegistration>();
            if (_events.TryGetValue(name, out var events)) found.AddRange(events);
            foreach (var pattern in _eventPatterns)
            {
                if (TopicPatterns.Matches(pattern.Topic, routingKey) && !found.Contains(pattern)) found.Add(pattern);
            }
            return found;
        }
    }

    /// <summary>A kind of queue the bus consumes: the handlers it reaches and the intent of a message that does not say.</summary>
    private sealed record Inbound(DispatchTable Handlers, MessageIntent DefaultIntent);

    private readonly DispatchTable _shared = new();
    private readonly DispatchTable _perInstance = new();
    private readonly Dictionary<HandlerRegistration, RetryPolicy> _retryPolicies = new();
    private Inbound _serviceEndpoint = null!;
    private Inbound _commandEndpoint = null!;
    private Inbound _instanceEndpoint = null!;

    private void BuildDispatch()
    {
        foreach (var handler in _options.Handlers)
        {
            _invokers[handler] = handler.BuildInvoker();
            _retryPolicies[handler] = _options.RetryPolicyFor(handler);
            (handler.PerInstance ? _perInstance : _shared).Add(handler, _options.ServiceName);
        }
        _serviceEndpoint = new Inbound(_shared, MessageIntent.Event);
        _commandEndpoint = new Inbound(_shared, MessageIntent.Command);
        _instanceEndpoint = new Inbound(_perInstance, MessageIntent.Event);
    }

    /// <summary>A handler attempt that threw, with the handler that threw (its retry policy decides).</summary>
    private sealed class HandlerAttemptException(HandlerRegistration handler, Exception inner) : Exception(inner.Message, inner)
    {
        public HandlerRegistration Handler { get; } = handler;
    }

    /// <summary>One delivery from the service queue, a command queue or the instance queue: handle with retries, reply, or park it in the error queue.</summary>
    private async Task OnMessageAsync(IncomingMessage incoming, Inbound inbound)
    {
        var message = incoming.Message;
        var name = message.Type ?? incoming.RoutingKey;
        var intent = message.Intent ?? (incoming.Exchange == _requestsExchange ? MessageIntent.Request : inbound.DefaultIntent);
        // A dead-lettered retry arrives through the default exchange: route by its original name.
        var routingKey = incoming.Exchange.Length == 0 ? name : incoming.RoutingKey;
        var handlers = inbound.Handlers.Find(intent, name, routingKey);
        if (handlers.Count == 0)
        {
            var missing = new InvalidOperationException($"Service '{_options.ServiceName}' has no handler for {IntentName(intent)} '{name}'.");
            if (intent == MessageIntent.Request) await ReplyAsync(incoming, null, null, missing).ConfigureAwait(false);
            else await MoveToErrorQueueAsync(incoming, missing, 0).ConfigureAwait(false);
            return;
        }

        var delayedSoFar = ReadCount(message, WarrenHeaders.DelayedRetries);
        // Attempts of earlier deliveries: written on each delayed retry (messages from before it: the global counts).
        var attemptsBefore = message.Header(WarrenHeaders.Attempts) is null ? delayedSoFar * (_options.Retries.Immediate + 1) : ReadCount(message, WarrenHeaders.Attempts);
        Exception? failure = null;
        RetryPolicy? policy = null;
        IReadOnlyList<TimeSpan> delays = [];
        object? response = null;
        var attempt = attemptsBefore;
        for (var i = 1; ; i++)
        {
            attempt = attemptsBefore + i;
            try
            {
                response = await InvokeAsync(handlers, incoming, intent, name, attempt).ConfigureAwait(false);
                failure = null;
                break;
            }
            catch (HandlerAttemptException e)
            {
                failure = e.InnerException!;
                _logger.LogWarning(failure, "Handling {Intent} {Name} ({MessageId}) failed on attempt {Attempt}", IntentName(intent), name, message.MessageId, attempt);
                // An unreadable body stays unreadable: no retry can help.
                if (_abort.IsCancellationRequested || failure is MessageDeserializationException) break;
                policy = _retryPolicies[e.Handler];
                (var immediate, delays) = policy.Decide(failure);
                if (i > immediate) break;
            }
        }

        if (intent == MessageIntent.Request)
        {
            await ReplyAsync(incoming, handlers[0].ResponseType, response, failure).ConfigureAwait(false);
            return;
        }
        if (failure is null) return;
        // Shutting down: give the message back to the broker rather than spend its retries.
        if (_abort.IsCancellationRequested) ExceptionDispatchInfo.Throw(failure);
        // The instance queue goes when its instance stops: a retry queue dead-lettering into it would outlive it.
        if (delayedSoFar < delays.Count && Transport.SupportsDelayedDelivery && incoming.Queue != InstanceQueue && failure is not MessageDeserializationException)
        {
            var retry = message.Clone();
            retry.Headers[WarrenHeaders.DelayedRetries] = (delayedSoFar + 1).ToString(CultureInfo.InvariantCulture);
            retry.Headers[WarrenHeaders.Attempts] = attempt.ToString(CultureInfo.InvariantCulture);
            await Transport.DeferAsync(incoming.Queue, delays[delayedSoFar], retry, CancellationToken.None).ConfigureAwait(false);
            _logger.LogInformation("{Name} ({MessageId}) will be retried in {Delay}", name, message.MessageId, delays[delayedSoFar]);
            return;
        }
        await MoveToErrorQueueAsync(incoming, failure, attempt).ConfigureAwait(false);
    }

    private static int ReadCount(TransportMessage message, string header) =>
        int.TryParse(message.Header(header), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    private async Task<object?> InvokeAsync(List<HandlerRegistration> handlers, IncomingMessage incoming, MessageIntent intent, string name, int attempt)
    {
        var message = incoming.Message;
        var headers = message.HeadersOrEmpty;
        using var activity = WarrenTelemetry.Source.HasListeners() ? StartConsumerActivity(name, headers) : null;
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "warren");
            activity.SetTag("messaging.operation.name", "handle");
            activity.SetTag("messaging.destination.name", incoming.Queue);
            activity.SetTag("messaging.message.id", message.MessageId);
            activity.SetTag("messaging.message.name", name);
            activity.SetTag("warren.attempt", attempt);
        }
        var messageId = message.MessageId ?? "";
        // Absent correlation and conversation ids mean the message started its flow: they are its id.
        var context = new MessageContext(name, messageId, message.CorrelationId ?? messageId,
            headers.GetValueOrDefault(WarrenHeaders.ConversationId) ?? messageId,
            headers.GetValueOrDefault(WarrenHeaders.CausationId),
            message.Timestamp, message.AppId, headers, attempt, this, _abort.Token);
        // Set for the handlers and whatever they call; an async method's changes to AsyncLocal
        // values end with it, so the caller sees its own context again without a reset here.
        MessageContext.Current = context;
        var timed = WarrenTelemetry.Duration.Enabled;
        var started = timed ? Stopwatch.GetTimestamp() : 0;
        var tag = new KeyValuePair<string, object?>("messaging.message.name", name);
        HandlerRegistration? running = null;
        try
        {
            object? response = null;
            foreach (var registration in handlers)
            {
                running = registration;
                var body = Deserialize(message, registration.MessageType, name);
                var scope = _services.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    context.Services = scope.ServiceProvider;
                    if (_handlePipeline is null)
                    {
                        var handler = scope.ServiceProvider.GetRequiredService(registration.HandlerType);
                        response = await _invokers[registration](handler, body, context).ConfigureAwait(false);
                    }
                    else
                    {
                        var handling = new HandleContext(registration, _invokers[registration], body, context, incoming.Queue, scope.ServiceProvider);
                        await _handlePipeline(handling).ConfigureAwait(false);
                        response = handling.Response;
                    }
                }
                WarrenTelemetry.Handled.Add(1, tag);
                foreach (var observer in _observers) observer.OnHandled(intent, name, body, context);
            }
            return response;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            WarrenTelemetry.Failed.Add(1, tag);
            foreach (var observer in _observers) observer.OnFailed(intent, name, context, e);
            throw new HandlerAttemptException(running!, e);
        }
        finally
        {
            if (timed) WarrenTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tag);
        }
    }

    private object Deserialize(TransportMessage message, Type type, string name)
    {
        try
        {
            return JsonSerializer.Deserialize(message.Body.Span, type, _options.JsonSerializerOptions)
                ?? throw new MessageDeserializationException($"The body of '{name}' is JSON null, not a {type.Name}.");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            throw new MessageDeserializationException($"The body of '{name}' ({message.Body.Length} bytes, content type '{message.ContentType}') cannot be read as {type.FullName}: {e.Message}", e);
        }
    }

    private static Activity? StartConsumerActivity(string name, IReadOnlyDictionary<string, string> headers)
    {
        ActivityContext.TryParse(headers.GetValueOrDefault(WarrenTelemetry.TraceParentHeader), headers.GetValueOrDefault(WarrenTelemetry.TraceStateHeader), isRemote: true, out var parent);
        return WarrenTelemetry.Source.StartActivity($"{name} handle", ActivityKind.Consumer, parent);
    }

    private async Task ReplyAsync(IncomingMessage incoming, Type? responseType, object? response, Exception? failure)
    {
        var request = incoming.Message;
        if (request.ReplyTo is null)
        {
            _logger.LogWarning("Request {Name} ({MessageId}) has no reply-to; its response is dropped", request.Type, request.MessageId);
            return;
        }
        var body = failure is null ? JsonSerializer.SerializeToUtf8Bytes(response, responseType ?? typeof(object), _options.JsonSerializerOptions) : null;
        if (body is not null && body.Length > _options.MaxMessageSize)
        {
            // The requester is told why, rather than left to time out.
            failure = new MessageTooLargeException(request.Type + ".reply", body.Length, _options.MaxMessageSize);
            body = null;
        }
        var reply = new TransportMessage
        {
            MessageId = Guid.CreateVersion7().ToString(),
            CorrelationId = request.CorrelationId ?? request.MessageId,
            Type = request.Type + ".reply",
            ContentType = JsonContentType,
            AppId = _options.ServiceName,
            Timestamp = DateTimeOffset.UtcNow,
            Intent = MessageIntent.Reply,
            Persistent = false,
            Body = body ?? "null"u8.ToArray(),
        };
        reply.Headers[WarrenHeaders.ConversationId] = request.Header(WarrenHeaders.ConversationId) ?? request.MessageId ?? reply.MessageId;
        if (request.MessageId is not null) reply.Headers[WarrenHeaders.CausationId] = request.MessageId;
        if (failure is not null)
        {
            reply.Headers[WarrenHeaders.FaultType] = failure.GetType().FullName ?? failure.GetType().Name;
            reply.Headers[WarrenHeaders.FaultMessage] = failure.Message;
        }
        InjectTraceContext(Activity.Current, reply);
        try
        {
            await Transport.PublishAsync("", request.ReplyTo, mandatory: false, reply, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MessageUnroutableException)
        {
            _logger.LogWarning("The requester of {Name} ({MessageId}) is gone; reply dropped", request.Type, request.MessageId);
        }
    }

    private async Task MoveToErrorQueueAsync(IncomingMessage incoming, Exception failure, int attempts)
    {
        var parked = incoming.Message.Clone();
        var headers = parked.Headers;
        headers[WarrenHeaders.ErrorType] = failure.GetType().FullName ?? failure.GetType().Name;
        headers[WarrenHeaders.ErrorMessage] = failure.Message;
        headers[WarrenHeaders.ErrorStackTrace] = failure.StackTrace ?? "";
        headers[WarrenHeaders.ErrorQueue] = incoming.Queue;
        headers[WarrenHeaders.ErrorService] = _options.ServiceName;
        headers[WarrenHeaders.ErrorTime] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        headers[WarrenHeaders.ErrorAttempts] = attempts.ToString(CultureInfo.InvariantCulture);
        await Transport.PublishAsync("", _errorQueue, mandatory: true, parked, CancellationToken.None).ConfigureAwait(false);
        _logger.LogError(failure, "{Name} ({MessageId}) moved to {ErrorQueue} after {Attempts} attempts", parked.Type, parked.MessageId, _errorQueue, attempts);
    }

    /// <summary>
    /// Moves messages from this service's error queue back to the queues they failed in, with
    /// the error headers removed and retries counted afresh. <paramref name="filter"/> picks
    /// which; the others stay where they are. Returns how many were replayed.
    /// </summary>
    /// <remarks>See <see cref="ErrorQueueAdmin.ReplayAsync"/>.</remarks>
    public async Task<int> ReplayErrorsAsync(Func<FailedMessage, bool>? filter = null, int max = 1000, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        return (await new ErrorQueueAdmin(Transport, _options.ServiceName, _names).ReplayAsync(filter, max, cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <summary>Up to <paramref name="max"/> messages of the error queue, oldest first, left in place and in order.</summary>
    public Task<IReadOnlyList<FailedMessage>> PeekErrorsAsync(int max = 100, CancellationToken cancellationToken = default)
    {
        EnsureRunning();
        return new ErrorQueueAdmin(Transport, _options.ServiceName, _names).PeekAsync(max, cancellationToken);
    }
}
