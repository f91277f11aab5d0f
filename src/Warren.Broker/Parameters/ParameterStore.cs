using System.Collections.Concurrent;
using Warren.Broker.Storage;

namespace Warren.Broker.Parameters;

/// <summary>
/// Runtime parameters, per virtual host and global, kept and persisted for the management API and
/// definitions. Components Warren acts on (vhost-limits, operator_policy) are routed to the
/// virtual host by the broker; every other component is stored as given.
/// </summary>
public sealed class ParameterStore
{
    private readonly ConcurrentDictionary<(string Component, string VirtualHost, string Name), Parameter> _parameters = new();
    private readonly ConcurrentDictionary<string, GlobalParameter> _global = new();

    /// <summary>Told of every change, for the definitions log.</summary>
    internal Action<DefinitionRecord>? Log { get; set; }

    /// <summary>The virtual-host parameters (a snapshot).</summary>
    public IReadOnlyCollection<Parameter> Parameters => _parameters.Values.ToArray();

    /// <summary>The global parameters (a snapshot).</summary>
    public IReadOnlyCollection<GlobalParameter> GlobalParameters => _global.Values.ToArray();

    /// <summary>Finds a parameter.</summary>
    public bool TryGet(string component, string virtualHost, string name, out Parameter parameter) =>
        _parameters.TryGetValue((component, virtualHost, name), out parameter!);

    /// <summary>Finds a global parameter.</summary>
    public bool TryGetGlobal(string name, out GlobalParameter parameter) => _global.TryGetValue(name, out parameter!);

    /// <summary>Adds or replaces a parameter.</summary>
    public void Set(Parameter parameter)
    {
        if (string.IsNullOrEmpty(parameter.Component) || string.IsNullOrEmpty(parameter.Name))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, "a parameter needs a component and a name");
        }
        _parameters[(parameter.Component, parameter.VirtualHost, parameter.Name)] = parameter;
        Log?.Invoke(new DefinitionRecord("parameter+", parameter.VirtualHost, parameter.Name)
        {
            Type = parameter.Component,
            Value = JsonValues.ToJson(parameter.Value),
        });
    }

    /// <summary>Deletes a parameter; false when there was none.</summary>
    public bool Delete(string component, string virtualHost, string name)
    {
        if (!_parameters.TryRemove((component, virtualHost, name), out _)) return false;
        Log?.Invoke(new DefinitionRecord("parameter-", virtualHost, name) { Type = component });
        return true;
    }

    /// <summary>Adds or replaces a global parameter.</summary>
    public void SetGlobal(GlobalParameter parameter)
    {
        if (string.IsNullOrEmpty(parameter.Name)) throw new BrokerException(BrokerError.PreconditionFailed, "a parameter needs a name");
        _global[parameter.Name] = parameter;
        Log?.Invoke(new DefinitionRecord("global-parameter+", "", parameter.Name) { Value = JsonValues.ToJson(parameter.Value) });
    }

    /// <summary>Deletes a global parameter; false when there was none.</summary>
    public bool DeleteGlobal(string name)
    {
        if (!_global.TryRemove(name, out _)) return false;
        Log?.Invoke(new DefinitionRecord("global-parameter-", "", name));
        return true;
    }

    internal void Restore(Parameter parameter) => _parameters[(parameter.Component, parameter.VirtualHost, parameter.Name)] = parameter;

    internal void RestoreGlobal(GlobalParameter parameter) => _global[parameter.Name] = parameter;

    internal void ForgetVirtualHost(string virtualHost)
    {
        foreach (var key in _parameters.Keys) if (key.VirtualHost == virtualHost) _parameters.TryRemove(key, out _);
    }
}
