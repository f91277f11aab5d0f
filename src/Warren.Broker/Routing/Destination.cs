namespace Warren.Broker.Routing;

/// <summary>What a binding points at: a queue or an exchange.</summary>
public abstract class Destination
{
    /// <summary>Creates a destination with its name.</summary>
    protected Destination(string name) => Name = name;

    /// <summary>The name, unique per kind within a virtual host.</summary>
    public string Name { get; }

    /// <summary>Bindings that point here; changed only under the virtual host's topology lock.</summary>
    internal List<Binding> IncomingBindings { get; } = new();
}
