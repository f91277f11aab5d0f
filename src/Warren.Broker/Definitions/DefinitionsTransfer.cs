using System.Text.Json;
using Warren.Broker.Exchanges;
using Warren.Broker.Parameters;
using Warren.Broker.Policies;
using Warren.Broker.Queues;
using Warren.Broker.Security;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker.Definitions;

/// <summary>
/// Export and import of the broker's definitions in RabbitMQ's format: the management API's
/// /api/definitions, the server's --definitions file at boot, and a move between Warren and RabbitMQ.
/// </summary>
public static class DefinitionsTransfer
{
    /// <summary>The RabbitMQ version whose definitions format Warren writes.</summary>
    public const string RabbitVersion = "3.10.8";

    /// <summary>
    /// Exports everything (users, vhosts, permissions, topic permissions, parameters, global
    /// parameters, policies, queues, exchanges, bindings), or with <paramref name="virtualHost"/>
    /// one virtual host's parameters, policies, queues, exchanges and bindings without their
    /// "vhost" fields, as RabbitMQ's per-vhost export.
    /// </summary>
    public static BrokerDefinitions ExportDefinitions(this Broker broker, string? virtualHost = null)
    {
        var version = typeof(Broker).Assembly.GetName().Version?.ToString(3);
        var result = new BrokerDefinitions { RabbitVersion = RabbitVersion, RabbitmqVersion = RabbitVersion, ProductName = "Warren", ProductVersion = version };
        var hosts = virtualHost is null ? broker.VirtualHosts.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray() : [broker.RequireVirtualHost(virtualHost)];
        var perHost = virtualHost is not null;
        string? Vhost(string name) => perHost ? null : name;
        if (!perHost)
        {
            result.Users = broker.Users.Users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(ToDefinition).ToList();
            result.VirtualHosts = hosts.Select(h => new VirtualHostDefinition
            {
                Name = h.Name,
                Description = h.Description.Length > 0 ? h.Description : null,
                Tags = h.Tags.Count > 0 ? Element(h.Tags) : null,
            }).ToList();
            result.Permissions = broker.Users.Permissions.OrderBy(p => (p.VirtualHost, p.User)).Select(p => new PermissionDefinition
            {
                User = p.User, VirtualHost = p.VirtualHost, Configure = p.Configure, Write = p.Write, Read = p.Read,
            }).ToList();
            result.TopicPermissions = broker.Users.TopicPermissions.OrderBy(p => (p.VirtualHost, p.User, p.Exchange)).Select(p => new TopicPermissionDefinition
            {
                User = p.User, VirtualHost = p.VirtualHost, Exchange = p.Exchange, Write = p.Write, Read = p.Read,
            }).ToList();
            result.GlobalParameters = broker.Parameters.GlobalParameters.OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new GlobalParameterDefinition { Name = p.Name, Value = Element(p.Value) }).ToList();
        }
        result.Parameters = broker.GetParameters(virtualHost).Select(p => new ParameterDefinition
        {
            Value = Element(p.Value), VirtualHost = Vhost(p.VirtualHost), Component = p.Component, Name = p.Name,
        }).ToList();
        result.Policies = [];
        result.Queues = [];
        result.Exchanges = [];
        result.Bindings = [];
        foreach (var host in hosts)
        {
            foreach (var policy in host.Policies.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                result.Policies.Add(new PolicyDefinitionEntry
                {
                    VirtualHost = Vhost(host.Name), Name = policy.Name, Pattern = policy.Pattern,
                    ApplyTo = Policy.TargetName(policy.ApplyTo), Definition = Element(policy.Definition), Priority = policy.Priority,
                });
            }
            // Exclusive queues belong to a connection and are not definitions (RabbitMQ leaves them out).
            foreach (var queue in host.Queues.Where(q => !q.Settings.Exclusive).OrderBy(q => q.Name, StringComparer.Ordinal))
            {
                result.Queues.Add(new QueueDefinition
                {
                    Name = queue.Name, VirtualHost = Vhost(host.Name), Durable = queue.Settings.Durable,
                    AutoDelete = queue.Settings.AutoDelete, Arguments = Element(queue.Settings.Arguments ?? new Dictionary<string, object?>()),
                });
            }
            // The default and amq.* exchanges exist in every virtual host; RabbitMQ leaves them out.
            foreach (var exchange in host.Exchanges.Where(e => e.Name.Length > 0 && !e.Name.StartsWith("amq.", StringComparison.Ordinal)).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                result.Exchanges.Add(new ExchangeDefinition
                {
                    Name = exchange.Name, VirtualHost = Vhost(host.Name), Type = exchange.Type, Durable = exchange.Settings.Durable,
                    AutoDelete = exchange.Settings.AutoDelete, Internal = exchange.Settings.Internal,
                    Arguments = Element(exchange.Settings.Arguments ?? new Dictionary<string, object?>()),
                });
            }
            foreach (var exchange in host.Exchanges.Where(e => e.Name.Length > 0).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                foreach (var binding in exchange.Bindings)
                {
                    if (binding.Destination is Queue { Settings.Exclusive: true }) continue;
                    result.Bindings.Add(new BindingDefinition
                    {
                        Source = exchange.Name, VirtualHost = Vhost(host.Name), Destination = binding.Destination.Name,
                        DestinationType = binding.Destination is Queue ? "queue" : "exchange", RoutingKey = binding.RoutingKey,
                        Arguments = Element(binding.Arguments ?? new Dictionary<string, object?>()),
                    });
                }
            }
        }
        return result;
    }

    private static UserDefinition ToDefinition(User user)
    {
        var limits = new Dictionary<string, JsonElement>();
        if (user.Limits.MaxConnections is { } connections) limits[UserLimits.MaxConnectionsKey] = Element(connections);
        if (user.Limits.MaxChannels is { } channels) limits[UserLimits.MaxChannelsKey] = Element(channels);
        return new UserDefinition
        {
            Name = user.Name, PasswordHash = user.PasswordHash, HashingAlgorithm = user.HashingAlgorithm,
            Tags = Element(user.Tags), Limits = limits,
        };
    }

    /// <summary>
    /// Imports definitions, in RabbitMQ's order (users, vhosts, permissions, topic permissions,
    /// parameters, global parameters, policies, queues, exchanges, bindings). What exists is
    /// updated (users, permissions, policies, parameters) or kept (queues, exchanges, as RabbitMQ
    /// does). With <paramref name="virtualHost"/>, everything goes into that virtual host and users,
    /// vhosts and permissions are ignored. Throws <see cref="BrokerException"/> naming the entry at fault.
    /// </summary>
    public static void ImportDefinitions(this Broker broker, BrokerDefinitions definitions, string? virtualHost = null)
    {
        string Host(string? named) => virtualHost ?? named ?? "/";
        if (virtualHost is not null) broker.RequireVirtualHost(virtualHost);
        else
        {
            foreach (var user in definitions.Users ?? []) At("user", user.Name, () => ImportUser(broker, user));
            foreach (var host in definitions.VirtualHosts ?? []) At("vhost", host.Name, () => ImportVirtualHost(broker, host));
            foreach (var p in definitions.Permissions ?? [])
            {
                At("permission", $"{p.User}@{p.VirtualHost}", () => broker.Users.SetPermission(new Permission(p.User, p.VirtualHost, p.Configure, p.Write, p.Read)));
            }
            foreach (var p in definitions.TopicPermissions ?? [])
            {
                At("topic permission", $"{p.User}@{p.VirtualHost}", () => broker.Users.SetTopicPermission(new TopicPermission(p.User, p.VirtualHost, p.Exchange, p.Write, p.Read)));
            }
        }
        foreach (var p in definitions.Parameters ?? [])
        {
            At("parameter", $"{p.Component}/{p.Name}", () => broker.SetParameter(new Parameter(p.Component, Host(p.VirtualHost), p.Name, JsonValues.FromJson(p.Value))));
        }
        if (virtualHost is null)
        {
            foreach (var p in definitions.GlobalParameters ?? [])
            {
                At("global parameter", p.Name, () => broker.Parameters.SetGlobal(new GlobalParameter(p.Name, JsonValues.FromJson(p.Value))));
            }
        }
        foreach (var p in definitions.Policies ?? [])
        {
            At("policy", p.Name, () =>
            {
                var target = PolicyTarget.All;
                if (p.ApplyTo is not null && !Policy.TryParseTarget(p.ApplyTo, out target))
                {
                    throw new BrokerException(BrokerError.PreconditionFailed, $"'{p.ApplyTo}' is not a valid apply-to value");
                }
                broker.RequireVirtualHost(Host(p.VirtualHost)).SetPolicy(new Policy(Host(p.VirtualHost), p.Name, p.Pattern, target, p.Priority, JsonValues.FromJsonObject(p.Definition)));
            });
        }
        foreach (var q in definitions.Queues ?? [])
        {
            At("queue", q.Name, () =>
            {
                var host = broker.RequireVirtualHost(Host(q.VirtualHost));
                if (host.TryGetQueue(q.Name, out _)) return;
                host.DeclareQueue(q.Name, new QueueSettings(q.Durable, false, q.AutoDelete, Arguments(q.Arguments)), passive: false, connection: null);
            });
        }
        foreach (var e in definitions.Exchanges ?? [])
        {
            At("exchange", e.Name, () =>
            {
                var host = broker.RequireVirtualHost(Host(e.VirtualHost));
                if (host.TryGetExchange(e.Name, out _)) return;
                host.DeclareExchange(e.Name, e.Type, new ExchangeSettings(e.Durable, e.AutoDelete, e.Internal, Arguments(e.Arguments)), passive: false);
            });
        }
        foreach (var b in definitions.Bindings ?? [])
        {
            At("binding", $"{b.Source}->{b.Destination}", () =>
            {
                var host = broker.RequireVirtualHost(Host(b.VirtualHost));
                var arguments = Arguments(b.Arguments);
                if (b.DestinationType == "exchange") host.BindExchange(b.Destination, b.Source, b.RoutingKey, arguments);
                else host.BindQueue(b.Destination, b.Source, b.RoutingKey, arguments, connection: null);
            });
        }
    }

    private static void ImportUser(Broker broker, UserDefinition user)
    {
        var tags = Tags(user.Tags);
        if (user.PasswordHash is null && user.Password is not null) broker.Users.PutUser(user.Name, user.Password, tags);
        else broker.Users.PutUserWithHash(user.Name, user.PasswordHash ?? "", user.HashingAlgorithm ?? PasswordHashing.Sha256, tags);
        if (user.Limits is { Count: > 0 } limits)
        {
            long? connections = null, channels = null;
            foreach (var (key, value) in limits)
            {
                if (!value.TryGetInt64(out var number)) throw new BrokerException(BrokerError.PreconditionFailed, $"limit '{key}' must be an integer");
                switch (key)
                {
                    case UserLimits.MaxConnectionsKey: connections = number < 0 ? null : number; break;
                    case UserLimits.MaxChannelsKey: channels = number < 0 ? null : number; break;
                    default: throw new BrokerException(BrokerError.PreconditionFailed, $"unknown user limit '{key}'");
                }
            }
            broker.Users.SetLimits(user.Name, new UserLimits(connections, channels));
        }
    }

    private static void ImportVirtualHost(Broker broker, VirtualHostDefinition definition)
    {
        var host = broker.AddVirtualHost(definition.Name);
        var description = definition.Description;
        var tags = definition.Tags;
        if (definition.Metadata is { ValueKind: JsonValueKind.Object } metadata)
        {
            if (description is null && metadata.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String) description = d.GetString();
            if (tags is null && metadata.TryGetProperty("tags", out var t)) tags = t;
        }
        if (description is not null) host.Description = description;
        if (tags is not null) host.Tags = Tags(tags);
    }

    /// <summary>Tags as RabbitMQ writes them: a JSON list, or one comma-separated string (older exports and the management API).</summary>
    public static List<string> Tags(JsonElement? element) => element switch
    {
        { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!.Trim()).Where(t => t.Length > 0).ToList(),
        { ValueKind: JsonValueKind.String } text => text.GetString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
        _ => [],
    };

    private static Dictionary<string, object?>? Arguments(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? JsonValues.FromJsonObject(element) : null;

    private static void At(string kind, string name, Action import)
    {
        try
        {
            import();
        }
        catch (BrokerException e)
        {
            throw new BrokerException(e.Error, $"{kind} '{name}': {e.Message}");
        }
    }

    private static JsonElement Element(object? value)
    {
        using var document = JsonDocument.Parse(JsonValues.ToJson(value));
        return document.RootElement.Clone();
    }
}
