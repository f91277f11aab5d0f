using Warren.Messaging.Configuration;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

/// <summary>The rest of the sending pipeline: the next filter, or the transport at the end.</summary>
public delegate Task SendDelegate(SendContext context);

/// <summary>
/// Middleware around sending: sees every event, command and request this bus sends (replies
/// excepted) before it goes to the broker, with its name, object, headers and the message being
/// handled when it is sent from a handler. It may change the headers, throw (the send fails with
/// that exception) or not call <c>next</c> (the message is not sent: a publish or send returns as
/// if done, a request fails with <see cref="MessageNotSentException"/>, a gather yields nothing).
/// Register with <c>o.AddFilter&lt;T&gt;()</c> or as an <see cref="ISendFilter"/> singleton in the
/// container; filters run in registration order, the first registered outermost.
/// </summary>
public interface ISendFilter
{
    /// <summary>Runs around one send; call <paramref name="next"/> to go on.</summary>
    Task SendAsync(SendContext context, SendDelegate next);
}

/// <summary>One message on its way out, as send filters see it.</summary>
public sealed class SendContext
{
    internal SendContext(MessageIntent intent, string messageName, object message, string messageId, string destination,
        Dictionary<string, string> headers, MessageContext? handling, IServiceProvider services, CancellationToken cancellationToken)
    {
        Intent = intent;
        MessageName = messageName;
        Message = message;
        MessageId = messageId;
        Destination = destination;
        Headers = headers;
        Handling = handling;
        Services = services;
        CancellationToken = cancellationToken;
    }

    /// <summary>Event, command or request.</summary>
    public MessageIntent Intent { get; }

    /// <summary>The message's wire name.</summary>
    public string MessageName { get; }

    /// <summary>The message object (already serialised: changing it changes nothing on the wire).</summary>
    public object Message { get; }

    /// <summary>The message id it carries.</summary>
    public string MessageId { get; }

    /// <summary>The exchange (events, requests) or queue (commands) it goes to.</summary>
    public string Destination { get; }

    /// <summary>
    /// The headers it will carry, changeable: the caller's (<see cref="SendOptions.Headers"/>) and
    /// Warren's own (<c>warren-*</c>, <c>traceparent</c>; leave those alone).
    /// </summary>
    public IDictionary<string, string> Headers { get; }

    /// <summary>The message being handled when a handler sends this one, else null.</summary>
    public MessageContext? Handling { get; }

    /// <summary>The handler's DI scope when sent from a handler, else the root provider.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The sender's cancellation token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True once the end of the pipeline handed the message to the broker.</summary>
    public bool Sent { get; internal set; }

    internal TransportMessage Envelope { get; init; } = null!;

    internal string Exchange { get; init; } = "";

    internal string RoutingKey { get; init; } = "";

    internal bool Mandatory { get; init; }
}

/// <summary>Options of one send: headers the receiver reads in <see cref="MessageContext.Headers"/>.</summary>
public sealed class SendOptions
{
    /// <summary>Custom headers; names starting with <c>warren-</c> are Warren's and refused.</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds a header; returns this for chaining.</summary>
    public SendOptions WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }

    internal void CopyTo(Dictionary<string, string> headers)
    {
        foreach (var (name, value) in Headers)
        {
            if (string.IsNullOrEmpty(name) || name.StartsWith("warren-", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Header '{name}' cannot be set: names starting with 'warren-' are Warren's own, and a name cannot be empty.");
            }
            headers[name] = value ?? throw new ArgumentException($"Header '{name}' has a null value.");
        }
    }
}

/// <summary>A send filter did not pass a request on, so no reply can come.</summary>
public sealed class MessageNotSentException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public MessageNotSentException(string messageName)
        : base($"A send filter stopped request '{messageName}' before it reached the broker; no reply will come.") => MessageName = messageName;

    /// <summary>The request's wire name.</summary>
    public string MessageName { get; }
}
