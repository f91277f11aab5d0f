using Microsoft.Extensions.DependencyInjection;
using Warren.Messaging.Configuration;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

public sealed partial class WarrenBus
{
    // Null when no filter is registered: sending and handling then take no detour and allocate nothing for filters.
    private SendDelegate? _sendPipeline;
    private HandleDelegate? _handlePipeline;

    /// <summary>Chains the filters once, at construction: the first registered runs outermost.</summary>
    private void BuildPipelines()
    {
        var send = new List<ISendFilter>();
        var handle = new List<IHandleFilter>();
        foreach (var entry in _options.Filters)
        {
            var filter = entry is Type type ? _services.GetService(type) ?? ActivatorUtilities.CreateInstance(_services, type) : entry;
            if (filter is ISendFilter s) send.Add(s);
            if (filter is IHandleFilter h) handle.Add(h);
        }
        foreach (var filter in _services.GetServices<ISendFilter>())
        {
            if (!send.Contains(filter)) send.Add(filter);
        }
        foreach (var filter in _services.GetServices<IHandleFilter>())
        {
            if (!handle.Contains(filter)) handle.Add(filter);
        }

        if (send.Count > 0)
        {
            SendDelegate next = TransmitAsync;
            for (var i = send.Count - 1; i >= 0; i--)
            {
                var (filter, inner) = (send[i], next);
                next = context => filter.SendAsync(context, inner);
            }
            _sendPipeline = next;
        }
        if (handle.Count > 0)
        {
            HandleDelegate next = static async context =>
            {
                var handler = context.Services.GetRequiredService(context.HandlerType);
                context.Response = await context.Invoker(handler, context.Message, context.Context).ConfigureAwait(false);
            };
            for (var i = handle.Count - 1; i >= 0; i--)
            {
                var (filter, inner) = (handle[i], next);
                next = context => filter.HandleAsync(context, inner);
            }
            _handlePipeline = next;
        }
    }

    /// <summary>
    /// Publishes <paramref name="envelope"/> through the send filters (callers publish directly
    /// when there are none, so that the plain path has no extra state machine). False when a
    /// filter did not pass it on.
    /// </summary>
    private async Task<bool> FilteredSendAsync(MessageIntent intent, string name, object message, TransportMessage envelope,
        string exchange, string routingKey, bool mandatory, CancellationToken cancellationToken)
    {
        var handling = MessageContext.Current;
        var context = new SendContext(intent, name, message, envelope.MessageId!, exchange.Length == 0 ? routingKey : exchange, envelope.Headers,
            handling, handling?.Services ?? _services, cancellationToken)
        {
            Envelope = envelope,
            Exchange = exchange,
            RoutingKey = routingKey,
            Mandatory = mandatory,
        };
        await _sendPipeline!(context).ConfigureAwait(false);
        return context.Sent;
    }

    // The end of the send pipeline.
    private async Task TransmitAsync(SendContext context)
    {
        await Transport.PublishAsync(context.Exchange, context.RoutingKey, context.Mandatory, context.Envelope, context.CancellationToken).ConfigureAwait(false);
        context.Sent = true;
    }
}
