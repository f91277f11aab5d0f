using System.Diagnostics;
using System.Text.Json;
using Warren.Messaging.Configuration;
using Warren.Messaging.Diagnostics;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

public sealed partial class WarrenBus
{
    internal const string JsonContentType = "application/json";

    /// <inheritdoc />
    public Task PublishAsync<TEvent>(TEvent message, CancellationToken cancellationToken = default) where TEvent : notnull =>
        PublishAsync(message, null, cancellationToken);

    /// <inheritdoc />
    public async Task PublishAsync<TEvent>(TEvent message, SendOptions? options, CancellationToken cancellationToken = default) where TEvent : notnull
    {
        EnsureRunning();
        var name = MessageNames.Of(message.GetType());
        using var activity = StartProducerActivity(name, "publish", _eventsExchange);
        var envelope = CreateMessage(MessageIntent.Event, name, message, options, activity);
        if (_sendPipeline is null) await Transport.PublishAsync(_eventsExchange, name, mandatory: false, envelope, cancellationToken).ConfigureAwait(false);
        else if (!await FilteredSendAsync(MessageIntent.Event, name, message, envelope, _eventsExchange, name, false, cancellationToken).ConfigureAwait(false)) return;
        AfterSent(MessageIntent.Event, name, message);
    }

    /// <inheritdoc />
    public Task SendAsync<TCommand>(TCommand message, CancellationToken cancellationToken = default) where TCommand : notnull =>
        SendAsync(message, null, cancellationToken);

    /// <inheritdoc />
    public async Task SendAsync<TCommand>(TCommand message, SendOptions? options, CancellationToken cancellationToken = default) where TCommand : notnull
    {
        EnsureRunning();
        var name = MessageNames.Of(message.GetType());
        var queue = _names.CommandQueue(name);
        using var activity = StartProducerActivity(name, "send", queue);
        var envelope = CreateMessage(MessageIntent.Command, name, message, options, activity);
        try
        {
            if (_sendPipeline is null) await Transport.PublishAsync("", queue, mandatory: true, envelope, cancellationToken).ConfigureAwait(false);
            else if (!await FilteredSendAsync(MessageIntent.Command, name, message, envelope, "", queue, true, cancellationToken).ConfigureAwait(false)) return;
        }
        catch (MessageUnroutableException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "unroutable");
            throw new MessageUnroutableException(e.Exchange, e.RoutingKey, $"No service owns command '{name}': its queue '{e.RoutingKey}' does not exist. ({e.Message})");
        }
        AfterSent(MessageIntent.Command, name, message);
    }

    private void AfterSent(MessageIntent intent, string name, object message)
    {
        WarrenTelemetry.Published.Add(1, new KeyValuePair<string, object?>("messaging.message.name", name));
        foreach (var observer in _observers) observer.OnSent(intent, name, message);
    }

    private static Activity? StartProducerActivity(string name, string operation, string destination)
    {
        // No listener, no span: skip building its name on every publish.
        if (!WarrenTelemetry.Source.HasListeners()) return null;
        var activity = WarrenTelemetry.Source.StartActivity($"{name} {operation}", ActivityKind.Producer);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "warren");
            activity.SetTag("messaging.operation.name", operation);
            activity.SetTag("messaging.destination.name", destination);
            activity.SetTag("messaging.message.name", name);
        }
        return activity;
    }

    /// <summary>Builds the envelope; ids flow from the message being handled on this async flow, if any.</summary>
    private TransportMessage CreateMessage(MessageIntent intent, string name, object message, SendOptions? options, Activity? activity)
    {
        var current = MessageContext.Current;
        var id = Guid.CreateVersion7().ToString();
        var envelope = new TransportMessage
        {
            MessageId = id,
            // A request's correlation id identifies it: its reply carries it back (RabbitMQ's RPC
            // convention). A message that starts a flow leaves correlation and conversation ids out:
            // absent, they are its message id (see docs/messaging.md, "On the wire").
            CorrelationId = intent == MessageIntent.Request ? id : current?.CorrelationId,
            Type = name,
            Intent = intent,
            ContentType = JsonContentType,
            AppId = _options.ServiceName,
            Timestamp = DateTimeOffset.UtcNow,
            Persistent = _options.Persistent && intent is MessageIntent.Event or MessageIntent.Command,
            Body = JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), _options.JsonSerializerOptions),
        };
        if (envelope.Body.Length > _options.MaxMessageSize) throw new MessageTooLargeException(name, envelope.Body.Length, _options.MaxMessageSize);
        if (current is not null)
        {
            envelope.Headers[WarrenHeaders.ConversationId] = current.ConversationId;
            envelope.Headers[WarrenHeaders.CausationId] = current.MessageId;
        }
        options?.CopyTo(envelope.Headers);
        InjectTraceContext(activity ?? Activity.Current, envelope);
        if (activity is not null) activity.SetTag("messaging.message.id", id);
        return envelope;
    }

    private static void InjectTraceContext(Activity? activity, TransportMessage envelope)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C) return;
        envelope.Headers[WarrenTelemetry.TraceParentHeader] = activity.Id!;
        if (!string.IsNullOrEmpty(activity.TraceStateString)) envelope.Headers[WarrenTelemetry.TraceStateHeader] = activity.TraceStateString;
    }

    internal static string IntentName(MessageIntent intent) => intent switch
    {
        MessageIntent.Event => "event",
        MessageIntent.Command => "command",
        MessageIntent.Request => "request",
        _ => "reply",
    };
}
