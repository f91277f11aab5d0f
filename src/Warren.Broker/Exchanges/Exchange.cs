using Warren.Broker.Messages;
using Warren.Broker.Routing;
using Warren.Broker.Statistics;

namespace Warren.Broker.Exchanges;

/// <summary>
/// An exchange: a named router with bindings. Each kind only knows how to pick destinations for
/// one message; exchange-to-exchange routing, deduplication and loop detection live once in
/// <see cref="VirtualHosts.VirtualHost"/>.
/// </summary>
public abstract class Exchange : Destination
{
    // Bindings grouped by (destination, key): kinds that ignore arguments index a pair once,
    // however many argument variants are bound.
    private readonly Dictionary<(Destination, string), List<Binding>> _bindings = new();
    private int _bindingCount;

    /// <summary>Creates an exchange.</summary>
    protected Exchange(string name, ExchangeSettings settings) : base(name)
    {
        Settings = settings;
        AlternateExchange = Policies.PolicyDefinition.AlternateExchange(settings.Arguments, null);
    }

    /// <summary>Kind: direct, fanout, topic or headers.</summary>
    public abstract string Type { get; }

    /// <summary>How it was declared.</summary>
    public ExchangeSettings Settings { get; }

    /// <summary>The name of the policy applied, or null.</summary>
    public string? PolicyName => _policy?.Name;

    /// <summary>The applied policy's definition (empty without one).</summary>
    public IReadOnlyDictionary<string, object?> EffectivePolicyDefinition =>
        _policy?.Definition ?? (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>();

    /// <summary>Where unroutable messages go: the declared alternate-exchange argument, else the policy's.</summary>
    public string? AlternateExchange { get; private set; }

    private Policies.Policy? _policy;

    internal void ApplyPolicy(Policies.Policy? policy)
    {
        _policy = policy;
        AlternateExchange = Policies.PolicyDefinition.AlternateExchange(Settings.Arguments, policy);
    }

    /// <summary>Its publish_in and publish_out counts (incremented atomically: publishers on any thread share them).</summary>
    public MessageCounters Stats { get; } = new();

    /// <summary>Number of bindings with this exchange as their source.</summary>
    public int BindingCount { get { lock (Sync) return _bindingCount; } }

    /// <summary>Guards the binding index; routing reads under it.</summary>
    internal object Sync { get; } = new();

    /// <summary>Every binding from this exchange (a snapshot).</summary>
    public IReadOnlyList<Binding> Bindings
    {
        get
        {
            lock (Sync)
            {
                var all = new List<Binding>(_bindingCount);
                foreach (var group in _bindings.Values) all.AddRange(group);
                return all;
            }
        }
    }

    internal bool AddBinding(Binding binding)
    {
        lock (Sync)
        {
            var pair = (binding.Destination, binding.RoutingKey);
            if (!_bindings.TryGetValue(pair, out var group))
            {
                group = new List<Binding>(1);
                _bindings.Add(pair, group);
            }
            foreach (var existing in group)
            {
                if (existing.SameAs(binding.Destination, binding.RoutingKey, binding.Arguments)) return false;
            }
            group.Add(binding);
            _bindingCount++;
            OnBind(binding, firstForPair: group.Count == 1);
            return true;
        }
    }

    internal Binding? RemoveBinding(Destination destination, string routingKey, IReadOnlyDictionary<string, object?>? arguments)
    {
        lock (Sync)
        {
            if (!_bindings.TryGetValue((destination, routingKey), out var group)) return null;
            for (var i = 0; i < group.Count; i++)
            {
                var binding = group[i];
                if (!binding.SameAs(destination, routingKey, arguments)) continue;
                group.RemoveAt(i);
                _bindingCount--;
                if (group.Count == 0) _bindings.Remove((destination, routingKey));
                OnUnbind(binding, lastForPair: group.Count == 0);
                return binding;
            }
            return null;
        }
    }

    /// <summary>
    /// Adds the destinations of <paramref name="message"/> routed with <paramref name="routingKey"/>
    /// (its own key, or a CC/BCC key) to <paramref name="destinations"/>. Called under <see cref="Sync"/>.
    /// </summary>
    internal abstract void Route(Message message, string routingKey, List<Destination> destinations);

    /// <summary>Indexes a new binding. <paramref name="firstForPair"/>: no other binding has its destination and key.</summary>
    protected abstract void OnBind(Binding binding, bool firstForPair);

    /// <summary>Drops a binding from the index. <paramref name="lastForPair"/>: no binding with its destination and key is left.</summary>
    protected abstract void OnUnbind(Binding binding, bool lastForPair);

    /// <summary>Creates an exchange of a known kind, or null for an unknown kind.</summary>
    public static Exchange? Create(string name, string type, ExchangeSettings settings) => type switch
    {
        ExchangeTypes.Direct => new DirectExchange(name, settings),
        ExchangeTypes.Fanout => new FanoutExchange(name, settings),
        ExchangeTypes.Topic => new TopicExchange(name, settings),
        ExchangeTypes.Headers => new HeadersExchange(name, settings),
        _ => null,
    };
}

/// <summary>The names of the exchange kinds.</summary>
public static class ExchangeTypes
{
    /// <summary>Routes on an exact key match.</summary>
    public const string Direct = "direct";
    /// <summary>Routes to every binding.</summary>
    public const string Fanout = "fanout";
    /// <summary>Routes on a pattern of dot-separated words.</summary>
    public const string Topic = "topic";
    /// <summary>Routes on message headers.</summary>
    public const string Headers = "headers";
}

/// <summary>How an exchange was declared.</summary>
/// <param name="Durable">Survives a restart.</param>
/// <param name="AutoDelete">Deleted when its last binding goes.</param>
/// <param name="Internal">Not published to directly, only through exchange-to-exchange bindings.</param>
/// <param name="Arguments">Declared arguments (alternate-exchange, …).</param>
public sealed record ExchangeSettings(bool Durable, bool AutoDelete, bool Internal, IReadOnlyDictionary<string, object?>? Arguments)
{
    /// <summary>A durable, plain exchange, as the predeclared ones are.</summary>
    public static ExchangeSettings DurableDefault { get; } = new(true, false, false, null);
}
