using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Exchanges;

/// <summary>Routes to the destinations bound with exactly the message's routing key (a hash lookup).</summary>
public sealed class DirectExchange(string name, ExchangeSettings settings) : Exchange(name, settings)
{
    private readonly Dictionary<string, List<Destination>> _byKey = new();

    /// <inheritdoc />
    public override string Type => ExchangeTypes.Direct;

    internal override void Route(Message message, string routingKey, List<Destination> destinations)
    {
        if (_byKey.TryGetValue(routingKey, out var bound)) destinations.AddRange(bound);
    }

    /// <inheritdoc />
    protected override void OnBind(Binding binding, bool firstForPair)
    {
        if (!firstForPair) return;
        if (!_byKey.TryGetValue(binding.RoutingKey, out var bound))
        {
            bound = new List<Destination>(1);
            _byKey.Add(binding.RoutingKey, bound);
        }
        bound.Add(binding.Destination);
    }

    /// <inheritdoc />
    protected override void OnUnbind(Binding binding, bool lastForPair)
    {
        if (!lastForPair || !_byKey.TryGetValue(binding.RoutingKey, out var bound)) return;
        bound.Remove(binding.Destination);
        if (bound.Count == 0) _byKey.Remove(binding.RoutingKey);
    }
}
