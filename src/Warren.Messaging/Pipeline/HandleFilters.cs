using Warren.Messaging.Configuration;

namespace Warren.Messaging;

/// <summary>The rest of the handling pipeline: the next filter, or the handler at the end.</summary>
public delegate Task HandleDelegate(HandleContext context);

/// <summary>
/// Middleware around handling: runs for each handler of each delivered message, after the body is
/// deserialised and inside the handler's DI scope, with the message, its headers and its
/// <see cref="MessageContext"/>. It may throw (the attempt fails and the retry policy decides
/// what next), or not call <c>next</c> (the handler does not run and the message counts as handled;
/// for a request, <see cref="HandleContext.Response"/> is the reply). Register with
/// <c>o.AddFilter&lt;T&gt;()</c> or as an <see cref="IHandleFilter"/> singleton in the container;
/// filters run in registration order, the first registered outermost. Uses: logging,
/// validation, tenancy (read a header into a scoped service), deduplication (an inbox).
/// </summary>
public interface IHandleFilter
{
    /// <summary>Runs around one handler call; call <paramref name="next"/> to go on.</summary>
    Task HandleAsync(HandleContext context, HandleDelegate next);
}

/// <summary>One message about to be handled by one handler, as handle filters see it.</summary>
public sealed class HandleContext
{
    internal HandleContext(HandlerRegistration registration, Func<object, object, MessageContext, Task<object?>> invoker, object message,
        MessageContext context, string queue, IServiceProvider services)
    {
        Registration = registration;
        Invoker = invoker;
        Message = message;
        Context = context;
        Queue = queue;
        Services = services;
    }

    internal HandlerRegistration Registration { get; }

    internal Func<object, object, MessageContext, Task<object?>> Invoker { get; }

    /// <summary>Event, command or request.</summary>
    public MessageIntent Intent => Registration.Intent;

    /// <summary>The message's wire name.</summary>
    public string MessageName => Context.MessageName;

    /// <summary>The deserialised message.</summary>
    public object Message { get; }

    /// <summary>The handler class that will run (resolved from <see cref="Services"/> at the end of the pipeline).</summary>
    public Type HandlerType => Registration.HandlerType;

    /// <summary>Ids, headers, attempt, bus and cancellation: what the handler gets.</summary>
    public MessageContext Context { get; }

    /// <summary>Shortcut for <c>Context.Headers</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers => Context.Headers;

    /// <summary>The queue it was delivered from.</summary>
    public string Queue { get; }

    /// <summary>This handler call's DI scope (the handler is resolved from it).</summary>
    public IServiceProvider Services { get; }

    /// <summary>For a request, the response: set by the handler, or by a filter that answers without it.</summary>
    public object? Response { get; set; }
}
