using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warren.Broker.Definitions;

/// <summary>
/// RabbitMQ's definitions file (GET /api/definitions, rabbitmqctl export_definitions,
/// load_definitions): the exact JSON field names, so files move both ways between Warren and
/// RabbitMQ. A list left null is absent from the JSON (a per-vhost export has no users).
/// Values that are free-form JSON (arguments, policy definitions, parameter values) stay
/// <see cref="JsonElement"/> here and become broker values on import.
/// </summary>
public sealed class BrokerDefinitions
{
    /// <summary>The exporting RabbitMQ's version (Warren writes the RabbitMQ version it matches).</summary>
    [JsonPropertyName("rabbit_version")] public string? RabbitVersion { get; set; }
    /// <summary>Same as <see cref="RabbitVersion"/>.</summary>
    [JsonPropertyName("rabbitmq_version")] public string? RabbitmqVersion { get; set; }
    /// <summary>The exporting product.</summary>
    [JsonPropertyName("product_name")] public string? ProductName { get; set; }
    /// <summary>The exporting product's version.</summary>
    [JsonPropertyName("product_version")] public string? ProductVersion { get; set; }
    /// <summary>Users.</summary>
    [JsonPropertyName("users")] public List<UserDefinition>? Users { get; set; }
    /// <summary>Virtual hosts.</summary>
    [JsonPropertyName("vhosts")] public List<VirtualHostDefinition>? VirtualHosts { get; set; }
    /// <summary>Permissions.</summary>
    [JsonPropertyName("permissions")] public List<PermissionDefinition>? Permissions { get; set; }
    /// <summary>Topic permissions.</summary>
    [JsonPropertyName("topic_permissions")] public List<TopicPermissionDefinition>? TopicPermissions { get; set; }
    /// <summary>Virtual-host parameters (including vhost-limits and operator_policy).</summary>
    [JsonPropertyName("parameters")] public List<ParameterDefinition>? Parameters { get; set; }
    /// <summary>Global parameters.</summary>
    [JsonPropertyName("global_parameters")] public List<GlobalParameterDefinition>? GlobalParameters { get; set; }
    /// <summary>Policies.</summary>
    [JsonPropertyName("policies")] public List<PolicyDefinitionEntry>? Policies { get; set; }
    /// <summary>Queues.</summary>
    [JsonPropertyName("queues")] public List<QueueDefinition>? Queues { get; set; }
    /// <summary>Exchanges.</summary>
    [JsonPropertyName("exchanges")] public List<ExchangeDefinition>? Exchanges { get; set; }
    /// <summary>Bindings.</summary>
    [JsonPropertyName("bindings")] public List<BindingDefinition>? Bindings { get; set; }

    /// <summary>Reads a definitions file; throws <see cref="BrokerException"/> (406) naming what is malformed.</summary>
    public static BrokerDefinitions Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, DefinitionsJsonContext.Default.BrokerDefinitions)
                ?? throw new BrokerException(BrokerError.PreconditionFailed, "definitions must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"malformed definitions: {e.Message}");
        }
    }

    /// <summary>Reads a definitions file from text.</summary>
    public static BrokerDefinitions Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    /// <summary>Writes the definitions as RabbitMQ does (indented when asked).</summary>
    public byte[] ToJson(bool indented = false) =>
        JsonSerializer.SerializeToUtf8Bytes(this, indented ? DefinitionsJsonContext.Indented.BrokerDefinitions : DefinitionsJsonContext.Default.BrokerDefinitions);
}

/// <summary>A user in a definitions file.</summary>
public sealed class UserDefinition
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Base64 salt and hash; empty: no password.</summary>
    [JsonPropertyName("password_hash")] public string? PasswordHash { get; set; }
    /// <summary>A clear-text password (accepted on import, as RabbitMQ does; never exported).</summary>
    [JsonPropertyName("password")] public string? Password { get; set; }
    /// <summary>e.g. rabbit_password_hashing_sha256.</summary>
    [JsonPropertyName("hashing_algorithm")] public string? HashingAlgorithm { get; set; }
    /// <summary>Tags: a list (RabbitMQ 3.9+) or a comma-separated string (older exports).</summary>
    [JsonPropertyName("tags")] public JsonElement? Tags { get; set; }
    /// <summary>User limits, e.g. {"max-connections": 5}.</summary>
    [JsonPropertyName("limits")] public Dictionary<string, JsonElement>? Limits { get; set; }
}

/// <summary>A virtual host in a definitions file.</summary>
public sealed class VirtualHostDefinition
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Description (newer RabbitMQ versions export it).</summary>
    [JsonPropertyName("description")] public string? Description { get; set; }
    /// <summary>Tags: a list or a comma-separated string.</summary>
    [JsonPropertyName("tags")] public JsonElement? Tags { get; set; }
    /// <summary>Metadata (RabbitMQ 3.11+): description, tags, default queue type.</summary>
    [JsonPropertyName("metadata")] public JsonElement? Metadata { get; set; }
}

/// <summary>A permission in a definitions file.</summary>
public sealed class PermissionDefinition
{
    /// <summary>User.</summary>
    [JsonPropertyName("user")] public string User { get; set; } = "";
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string VirtualHost { get; set; } = "";
    /// <summary>Configure expression.</summary>
    [JsonPropertyName("configure")] public string Configure { get; set; } = "";
    /// <summary>Write expression.</summary>
    [JsonPropertyName("write")] public string Write { get; set; } = "";
    /// <summary>Read expression.</summary>
    [JsonPropertyName("read")] public string Read { get; set; } = "";
}

/// <summary>A topic permission in a definitions file.</summary>
public sealed class TopicPermissionDefinition
{
    /// <summary>User.</summary>
    [JsonPropertyName("user")] public string User { get; set; } = "";
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string VirtualHost { get; set; } = "";
    /// <summary>Topic exchange.</summary>
    [JsonPropertyName("exchange")] public string Exchange { get; set; } = "";
    /// <summary>Write expression.</summary>
    [JsonPropertyName("write")] public string Write { get; set; } = "";
    /// <summary>Read expression.</summary>
    [JsonPropertyName("read")] public string Read { get; set; } = "";
}

/// <summary>A virtual-host parameter in a definitions file.</summary>
public sealed class ParameterDefinition
{
    /// <summary>Value.</summary>
    [JsonPropertyName("value")] public JsonElement Value { get; set; }
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string? VirtualHost { get; set; }
    /// <summary>Component.</summary>
    [JsonPropertyName("component")] public string Component { get; set; } = "";
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}

/// <summary>A global parameter in a definitions file.</summary>
public sealed class GlobalParameterDefinition
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Value.</summary>
    [JsonPropertyName("value")] public JsonElement Value { get; set; }
}

/// <summary>A policy in a definitions file.</summary>
public sealed class PolicyDefinitionEntry
{
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string? VirtualHost { get; set; }
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Pattern.</summary>
    [JsonPropertyName("pattern")] public string Pattern { get; set; } = "";
    /// <summary>queues, exchanges or all.</summary>
    [JsonPropertyName("apply-to")] public string? ApplyTo { get; set; }
    /// <summary>Definition.</summary>
    [JsonPropertyName("definition")] public JsonElement Definition { get; set; }
    /// <summary>Priority.</summary>
    [JsonPropertyName("priority")] public int Priority { get; set; }
}

/// <summary>A queue in a definitions file.</summary>
public sealed class QueueDefinition
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string? VirtualHost { get; set; }
    /// <summary>Durable.</summary>
    [JsonPropertyName("durable")] public bool Durable { get; set; } = true;
    /// <summary>Auto-delete.</summary>
    [JsonPropertyName("auto_delete")] public bool AutoDelete { get; set; }
    /// <summary>x-arguments.</summary>
    [JsonPropertyName("arguments")] public JsonElement Arguments { get; set; }
}

/// <summary>An exchange in a definitions file.</summary>
public sealed class ExchangeDefinition
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string? VirtualHost { get; set; }
    /// <summary>Type.</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = "direct";
    /// <summary>Durable.</summary>
    [JsonPropertyName("durable")] public bool Durable { get; set; } = true;
    /// <summary>Auto-delete.</summary>
    [JsonPropertyName("auto_delete")] public bool AutoDelete { get; set; }
    /// <summary>Internal.</summary>
    [JsonPropertyName("internal")] public bool Internal { get; set; }
    /// <summary>Arguments.</summary>
    [JsonPropertyName("arguments")] public JsonElement Arguments { get; set; }
}

/// <summary>A binding in a definitions file.</summary>
public sealed class BindingDefinition
{
    /// <summary>Source exchange.</summary>
    [JsonPropertyName("source")] public string Source { get; set; } = "";
    /// <summary>Virtual host.</summary>
    [JsonPropertyName("vhost")] public string? VirtualHost { get; set; }
    /// <summary>Destination queue or exchange.</summary>
    [JsonPropertyName("destination")] public string Destination { get; set; } = "";
    /// <summary>"queue" or "exchange".</summary>
    [JsonPropertyName("destination_type")] public string DestinationType { get; set; } = "queue";
    /// <summary>Routing key.</summary>
    [JsonPropertyName("routing_key")] public string RoutingKey { get; set; } = "";
    /// <summary>Arguments.</summary>
    [JsonPropertyName("arguments")] public JsonElement Arguments { get; set; }
}

[JsonSerializable(typeof(BrokerDefinitions))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class DefinitionsJsonContext : JsonSerializerContext
{
    public static DefinitionsJsonContext Indented { get; } = new(new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });
}
