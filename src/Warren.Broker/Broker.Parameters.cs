using Warren.Broker.Messages;
using Warren.Broker.Parameters;
using Warren.Broker.Policies;
using Warren.Broker.Routing;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker;

// Runtime parameters as RabbitMQ's management API and definitions carry them. Two components
// are not stored as given but act on the virtual host: vhost-limits (name "limits") and
// operator_policy, as RabbitMQ keeps them.
public sealed partial class Broker
{
    /// <summary>RabbitMQ's component for vhost limits.</summary>
    public const string VirtualHostLimitsComponent = "vhost-limits";

    /// <summary>RabbitMQ's component under which operator policies appear among parameters.</summary>
    public const string OperatorPolicyComponent = "operator_policy";

    /// <summary>
    /// Every virtual-host parameter, including vhost limits and operator policies shown as
    /// parameters, as RabbitMQ lists and exports them; optionally of one virtual host or component.
    /// </summary>
    public IReadOnlyList<Parameter> GetParameters(string? virtualHost = null, string? component = null)
    {
        var result = new List<Parameter>();
        foreach (var parameter in Parameters.Parameters)
        {
            if ((virtualHost is null || parameter.VirtualHost == virtualHost) && (component is null || parameter.Component == component)) result.Add(parameter);
        }
        foreach (var host in _virtualHosts.Values)
        {
            if (virtualHost is not null && host.Name != virtualHost) continue;
            if (component is null or OperatorPolicyComponent)
            {
                foreach (var policy in host.OperatorPolicies) result.Add(new Parameter(OperatorPolicyComponent, host.Name, policy.Name, PolicyValue(policy)));
            }
            if (component is null or VirtualHostLimitsComponent && !host.Limits.IsEmpty)
            {
                result.Add(new Parameter(VirtualHostLimitsComponent, host.Name, "limits", LimitsValue(host.Limits)));
            }
        }
        return result;
    }

    /// <summary>Sets a virtual-host parameter: vhost-limits and operator_policy act on the virtual host; other components are stored. 404 for an unknown virtual host.</summary>
    public void SetParameter(Parameter parameter)
    {
        var host = RequireVirtualHost(parameter.VirtualHost);
        switch (parameter.Component)
        {
            case VirtualHostLimitsComponent:
                host.SetLimits(ParseLimits(parameter.Value));
                break;
            case OperatorPolicyComponent:
                host.SetOperatorPolicy(ParsePolicy(parameter.VirtualHost, parameter.Name, parameter.Value));
                break;
            default:
                Parameters.Set(parameter);
                break;
        }
    }

    /// <summary>Deletes a virtual-host parameter; false when there was none.</summary>
    public bool DeleteParameter(string component, string virtualHost, string name)
    {
        if (!_virtualHosts.TryGetValue(virtualHost, out var host)) return false;
        switch (component)
        {
            case VirtualHostLimitsComponent:
                if (host.Limits.IsEmpty) return false;
                host.SetLimits(VirtualHostLimits.None);
                return true;
            case OperatorPolicyComponent:
                return host.DeleteOperatorPolicy(name);
            default:
                return Parameters.Delete(component, virtualHost, name);
        }
    }

    /// <summary>The virtual host, or 404 NOT_FOUND.</summary>
    public VirtualHost RequireVirtualHost(string name) =>
        _virtualHosts.TryGetValue(name, out var host) ? host : throw new BrokerException(BrokerError.NotFound, $"no vhost '{name}'");

    /// <summary>A policy as the parameter value RabbitMQ shows: pattern, definition, priority, apply-to.</summary>
    public static Dictionary<string, object?> PolicyValue(Policy policy) => new()
    {
        ["pattern"] = policy.Pattern,
        ["definition"] = policy.Definition,
        ["priority"] = (long)policy.Priority,
        ["apply-to"] = Policy.TargetName(policy.ApplyTo),
    };

    /// <summary>Reads a policy from a parameter-shaped value (pattern, definition, priority, apply-to); 406 when malformed.</summary>
    public static Policy ParsePolicy(string virtualHost, string name, object? value)
    {
        if (value is not IReadOnlyDictionary<string, object?> table) throw new BrokerException(BrokerError.PreconditionFailed, "a policy must be a JSON object");
        if (!table.TryGetValue("pattern", out var pattern) || pattern is not string patternText)
        {
            throw new BrokerException(BrokerError.PreconditionFailed, "Validation failed\n\npattern is missing or not a string\n");
        }
        if (!table.TryGetValue("definition", out var definition) || definition is not IReadOnlyDictionary<string, object?> definitionTable)
        {
            throw new BrokerException(BrokerError.PreconditionFailed, "Validation failed\n\ndefinition is missing or not an object\n");
        }
        var priority = 0L;
        if (table.TryGetValue("priority", out var priorityValue) && priorityValue is not null && !FieldValues.TryGetInteger(priorityValue, out priority))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, "Validation failed\n\npriority should be an integer\n");
        }
        var target = PolicyTarget.All;
        if (table.TryGetValue("apply-to", out var applyTo) && applyTo is not null
            && (applyTo is not string applyText || !Policy.TryParseTarget(applyText, out target)))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"Validation failed\n\n'{applyTo}' is not a valid apply-to value\n");
        }
        return new Policy(virtualHost, name, patternText, target, (int)priority, definitionTable);
    }

    /// <summary>Vhost limits as the parameter value RabbitMQ shows, e.g. {"max-queues": 10}.</summary>
    public static Dictionary<string, object?> LimitsValue(VirtualHostLimits limits)
    {
        var value = new Dictionary<string, object?>();
        if (limits.MaxConnections is { } connections) value[VirtualHostLimits.MaxConnectionsKey] = connections;
        if (limits.MaxQueues is { } queues) value[VirtualHostLimits.MaxQueuesKey] = queues;
        return value;
    }

    /// <summary>Reads vhost limits from a parameter value; 406 for an unknown key or a non-integer value.</summary>
    public static VirtualHostLimits ParseLimits(object? value)
    {
        if (value is not IReadOnlyDictionary<string, object?> table) throw new BrokerException(BrokerError.PreconditionFailed, "vhost limits must be a JSON object");
        long? connections = null, queues = null;
        foreach (var (key, item) in table)
        {
            if (!FieldValues.TryGetInteger(item, out var number))
            {
                throw new BrokerException(BrokerError.PreconditionFailed, $"Validation failed\n\n{key} should be an integer\n");
            }
            switch (key)
            {
                case VirtualHostLimits.MaxConnectionsKey: connections = number; break;
                case VirtualHostLimits.MaxQueuesKey: queues = number; break;
                default: throw new BrokerException(BrokerError.PreconditionFailed, $"Validation failed\n\nUnrecognised terms [{{<<\"{key}\">>,{number}}}] in limits\n");
            }
        }
        // A negative limit means no limit (RabbitMQ).
        return new VirtualHostLimits(connections is < 0 ? null : connections, queues is < 0 ? null : queues);
    }
}
