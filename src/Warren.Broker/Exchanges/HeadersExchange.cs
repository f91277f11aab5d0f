using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Exchanges;

/// <summary>Routes on the message's headers against each binding's arguments (x-match all/any).</summary>
public sealed class HeadersExchange(string name, ExchangeSettings settings) : Exchange(name, settings)
{
    // Arguments matter here, so every binding is kept, not one per (destination, key).
    private readonly List<Binding> _bindings = new();

    /// <inheritdoc />
    public override string Type => ExchangeTypes.Headers;

    internal override void Route(Message message, string routingKey, List<Destination> destinations)
    {
        var headers = message.Properties.Headers;
        foreach (var binding in _bindings)
        {
            if (HeadersMatch.Matches(binding.Arguments, headers)) destinations.Add(binding.Destination);
        }
    }

    /// <inheritdoc />
    protected override void OnBind(Binding binding, bool firstForPair) => _bindings.Add(binding);

    /// <inheritdoc />
    protected override void OnUnbind(Binding binding, bool lastForPair) => _bindings.Remove(binding);
}
