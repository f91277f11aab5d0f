using Warren.Broker.Messages;
namespace Warren.Broker.Routing;

/// <summary>A binding from an exchange to a queue or another exchange.</summary>
/// <param name="Source">The exchange messages come from.</param>
/// <param name="Destination">The queue or exchange they go to.</param>
/// <param name="RoutingKey">The binding key (a pattern for topic exchanges).</param>
/// <param name="Arguments">Binding arguments (headers exchanges match on them).</param>
public sealed record Binding(
    Exchanges.Exchange Source,
    Destination Destination,
    string RoutingKey,
    IReadOnlyDictionary<string, object?>? Arguments)
{
    /// <summary>True when two bindings are the same for declare/unbind purposes (same source, destination, key and arguments).</summary>
    public bool SameAs(Destination destination, string routingKey, IReadOnlyDictionary<string, object?>? arguments) =>
        ReferenceEquals(Destination, destination) && RoutingKey == routingKey && FieldValues.TablesEqual(Arguments, arguments);
}
