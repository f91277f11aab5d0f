using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Exchanges;

/// <summary>Routes on dot-separated words with <c>*</c> and <c>#</c> wildcards, through a trie.</summary>
public sealed class TopicExchange(string name, ExchangeSettings settings) : Exchange(name, settings)
{
    private readonly TopicTrie<Destination> _trie = new();

    /// <inheritdoc />
    public override string Type => ExchangeTypes.Topic;

    internal override void Route(Message message, string routingKey, List<Destination> destinations) => _trie.Match(routingKey, destinations);

    /// <inheritdoc />
    protected override void OnBind(Binding binding, bool firstForPair)
    {
        if (firstForPair) _trie.Add(binding.RoutingKey, binding.Destination);
    }

    /// <inheritdoc />
    protected override void OnUnbind(Binding binding, bool lastForPair)
    {
        if (lastForPair) _trie.Remove(binding.RoutingKey, binding.Destination);
    }
}
