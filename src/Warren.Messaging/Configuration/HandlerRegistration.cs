using System.Reflection;

namespace Warren.Messaging.Configuration;

/// <summary>The pattern a message takes part in.</summary>
public enum MessageIntent
{
    /// <summary>Published to every subscriber.</summary>
    Event,
    /// <summary>Sent to the queue that owns it.</summary>
    Command,
    /// <summary>Answered with a response.</summary>
    Request,
    /// <summary>A response to a request.</summary>
    Reply,
}

/// <summary>One handler interface of one handler class.</summary>
/// <param name="Intent">Event, command or request.</param>
/// <param name="MessageName">The wire name it handles.</param>
/// <param name="MessageType">The message's CLR type.</param>
/// <param name="ResponseType">For requests, the response type.</param>
/// <param name="HandlerType">The class, resolved from the container per message.</param>
/// <param name="Topic">For events, the binding key (the name, or a pattern such as <c>orders.#</c>).</param>
/// <param name="PerInstance">
/// True when every instance of the service gets its own copy (through its instance queue), as
/// registered with <see cref="WarrenOptions.AddInstanceHandler{THandler}"/>; false when the
/// service's instances share one copy (the service queue).
/// </param>
public sealed record HandlerRegistration(MessageIntent Intent, string MessageName, Type MessageType, Type? ResponseType, Type HandlerType, string Topic, bool PerInstance = false)
{
    internal static List<HandlerRegistration> For(Type handlerType, string? topic, bool perInstance = false)
    {
        var found = new List<HandlerRegistration>();
        foreach (var contract in handlerType.GetInterfaces())
        {
            if (!contract.IsGenericType) continue;
            var definition = contract.GetGenericTypeDefinition();
            var args = contract.GetGenericArguments();
            if (definition == typeof(IHandleEvent<>))
            {
                var name = MessageNames.Of(args[0]);
                found.Add(new HandlerRegistration(MessageIntent.Event, name, args[0], null, handlerType, topic ?? name, perInstance));
            }
            else if (definition == typeof(IHandleCommand<>))
            {
                var name = MessageNames.Of(args[0]);
                found.Add(new HandlerRegistration(MessageIntent.Command, name, args[0], null, handlerType, name, perInstance));
            }
            else if (definition == typeof(IHandleRequest<,>))
            {
                var name = MessageNames.Of(args[0]);
                found.Add(new HandlerRegistration(MessageIntent.Request, name, args[0], args[1], handlerType, name, perInstance));
            }
        }
        return found;
    }

    /// <summary>A delegate that calls the handler and returns the response for requests, else null.</summary>
    internal Func<object, object, MessageContext, Task<object?>> BuildInvoker()
    {
        var method = Intent switch
        {
            MessageIntent.Event => typeof(HandlerRegistration).GetMethod(nameof(InvokeEventAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(MessageType),
            MessageIntent.Command => typeof(HandlerRegistration).GetMethod(nameof(InvokeCommandAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(MessageType),
            _ => typeof(HandlerRegistration).GetMethod(nameof(InvokeRequestAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(MessageType, ResponseType!),
        };
        return method.CreateDelegate<Func<object, object, MessageContext, Task<object?>>>();
    }

    private static async Task<object?> InvokeEventAsync<T>(object handler, object message, MessageContext context)
    {
        await ((IHandleEvent<T>)handler).HandleAsync((T)message, context).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> InvokeCommandAsync<T>(object handler, object message, MessageContext context)
    {
        await ((IHandleCommand<T>)handler).HandleAsync((T)message, context).ConfigureAwait(false);
        return null;
    }

    private static async Task<object?> InvokeRequestAsync<TRequest, TResponse>(object handler, object message, MessageContext context) =>
        await ((IHandleRequest<TRequest, TResponse>)handler).HandleAsync((TRequest)message, context).ConfigureAwait(false);
}
