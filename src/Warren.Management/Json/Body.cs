using System.Text.Json;
using System.Text.Json.Nodes;
using Warren.Management.Http;

namespace Warren.Management.Json;

/// <summary>Typed reads of request-body fields, failing as RabbitMQ does: 400 with an Erlang-shaped reason.</summary>
internal static class Body
{
    /// <summary>A boolean field; absent gives the default. RabbitMQ accepts true/false and the strings "true"/"false".</summary>
    public static bool Bool(JsonObject body, string key, bool fallback)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        if (node is JsonValue value)
        {
            if (value.TryGetValue<bool>(out var b)) return b;
            if (value.TryGetValue<string>(out var s))
            {
                if (s == "true") return true;
                if (s == "false") return false;
            }
        }
        throw ApiException.BadRequest(new JsonArray("not_boolean", Shown(node)));
    }

    /// <summary>A string field; absent gives the default; a number or boolean is shown as text, anything else is 400.</summary>
    public static string? String(JsonObject body, string key, string? fallback = null)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        if (node is JsonValue value)
        {
            if (value.TryGetValue<string>(out var s)) return s;
            if (value.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) return value.ToJsonString();
        }
        throw ApiException.BadRequest($"{key}: expected a string, got {node.ToJsonString()}");
    }

    /// <summary>An integer field; absent gives the default.</summary>
    public static long? Integer(JsonObject body, string key, long? fallback = null)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        if (node is JsonValue value)
        {
            var text = value.GetValueKind() == JsonValueKind.Number ? value.ToJsonString() : value.TryGetValue<string>(out var s) ? s : null;
            if (text is not null && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
        }
        throw ApiException.BadRequest(new JsonArray("not_integer", Shown(node)));
    }

    /// <summary>An object field (arguments, properties, definition); absent gives null.</summary>
    public static JsonObject? Object(JsonObject body, string key)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null) return null;
        // RabbitMQ's forms send "" for empty arguments.
        if (node is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0) return null;
        return node as JsonObject ?? throw ApiException.BadRequest($"{key}: expected a JSON object, got {node.ToJsonString()}");
    }

    /// <summary>Fails with RabbitMQ's key_missing list when required keys are absent.</summary>
    public static void Require(JsonObject body, params string[] keys)
    {
        var missing = keys.Where(k => !body.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw ApiException.BadRequest("[" + string.Join(",", missing.Select(k => $"{{key_missing,{k}}}")) + "]");
    }

    private static JsonNode Shown(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node.ToJsonString();

    /// <summary>A name from the path, checked against AMQP's short-string limit as RabbitMQ does.</summary>
    public static string Name(string name, string what)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(name);
        if (bytes > 255) throw ApiException.BadRequest($"{what} should be less than 255 bytes, actually was {bytes}\n");
        return name;
    }
}
