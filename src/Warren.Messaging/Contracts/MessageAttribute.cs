namespace Warren.Messaging;

/// <summary>
/// Gives a message contract its stable name on the wire, e.g. <c>[Message("orders.placed")]</c>.
/// The name is the routing key of events and requests, the queue of commands and the AMQP
/// <c>type</c> property. Without the attribute the name is the type's name in kebab case
/// (<c>OrderPlaced</c> → <c>order-placed</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class MessageAttribute : Attribute
{
    /// <summary>Names the message.</summary>
    public MessageAttribute(string name) => Name = name;

    /// <summary>The name: words of letters, digits, '-' and '_' separated by dots.</summary>
    public string Name { get; }
}

/// <summary>A request whose response is <typeparamref name="TResponse"/>; lets the compiler infer it in <see cref="IMessageBus.RequestAsync{TResponse}(IRequest{TResponse}, TimeSpan?, CancellationToken)"/>.</summary>
public interface IRequest<TResponse>;
