using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Exchanges;

/// <summary>Routes to every bound destination, whatever the key.</summary>
public sealed class FanoutExchange(string name, ExchangeSettings settings) : Exchange(name, settings)
{
    private readonly List<Destination> _destinations = new();

    /// <inheritdoc />
    public override string Type => ExchangeTypes.Fanout;

    internal override void Route(Message message, string routingKey, List<Destination> destinations) => destinations.AddRange(_destinations);

    /// <inheritdoc />
    protected override void OnBind(Binding binding, bool firstForPair)
    {
        // A destination bound under several keys still gets one copy; the router deduplicates.
        if (firstForPair) _destinations.Add(binding.Destination);
    }

    /// <inheritdoc />
    protected override void OnUnbind(Binding binding, bool lastForPair)
    {
        if (lastForPair) _destinations.Remove(binding.Destination);
    }
}
