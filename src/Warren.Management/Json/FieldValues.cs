using System.Collections;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warren.Broker.Messages;

namespace Warren.Management.Json;

/// <summary>
/// AMQP field values (arguments, headers) to JSON and back, as RabbitMQ's management plugin
/// shows and accepts them: long strings as text, timestamps as seconds, tables as objects.
/// </summary>
internal static class FieldValues
{
    public static JsonObject ToJson(IReadOnlyDictionary<string, object?>? table)
    {
        var json = new JsonObject();
        if (table is null) return json;
        foreach (var (key, value) in table) json[key] = ToJson(value);
        return json;
    }

    public static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        bool b => b,
        sbyte or byte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u => u,
        float f => f,
        double d => d,
        decimal m => m,
        DateTimeOffset t => t.ToUnixTimeSeconds(),
        IReadOnlyDictionary<string, object?> nested => ToJson(nested),
        IDictionary<string, object?> nested => ToJson(new Dictionary<string, object?>(nested)),
        IList list => new JsonArray([.. list.Cast<object?>().Select(ToJson)]),
        _ => value.ToString(),
    };

    /// <summary>A JSON object of arguments to a field table: integers become longs, other numbers doubles.</summary>
    public static Dictionary<string, object?>? FromJson(JsonObject? json)
    {
        if (json is null || json.Count == 0) return null;
        var table = new Dictionary<string, object?>(json.Count);
        foreach (var (key, node) in json) table[key] = FromJson(node);
        return table;
    }

    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
                return FromJson(o) ?? new Dictionary<string, object?>();
            case JsonArray a:
                return a.Select(FromJson).ToList();
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: return v.GetValue<string>();
                    case JsonValueKind.True: return true;
                    case JsonValueKind.False: return false;
                    // Integers stay integers (x-max-length must be one); only a fraction makes a double.
                    case JsonValueKind.Number:
                        var text = v.ToJsonString();
                        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer)) return integer;
                        return double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                    default: return null;
                }
            default:
                return null;
        }
    }

    /// <summary>Message properties as the API shows them (only those set).</summary>
    public static JsonObject Properties(MessageProperties p)
    {
        var json = new JsonObject();
        if (p.ContentType is not null) json["content_type"] = p.ContentType;
        if (p.ContentEncoding is not null) json["content_encoding"] = p.ContentEncoding;
        if (p.DeliveryMode is { } mode) json["delivery_mode"] = mode;
        if (p.Priority is { } priority) json["priority"] = priority;
        if (p.CorrelationId is not null) json["correlation_id"] = p.CorrelationId;
        if (p.ReplyTo is not null) json["reply_to"] = p.ReplyTo;
        if (p.Expiration is not null) json["expiration"] = p.Expiration;
        if (p.MessageId is not null) json["message_id"] = p.MessageId;
        if (p.Timestamp is { } timestamp) json["timestamp"] = timestamp;
        if (p.Type is not null) json["type"] = p.Type;
        if (p.UserId is not null) json["user_id"] = p.UserId;
        if (p.AppId is not null) json["app_id"] = p.AppId;
        if (p.ClusterId is not null) json["cluster_id"] = p.ClusterId;
        if (p.Headers is { Count: > 0 } headers) json["headers"] = ToJson(headers);
        return json;
    }

    /// <summary>Message properties from a publish body; a wrongly typed property is 400.</summary>
    public static MessageProperties PropertiesFrom(JsonObject? json)
    {
        var p = new MessageProperties();
        if (json is null) return p;
        foreach (var (key, node) in json)
        {
            switch (key)
            {
                case "content_type": p.ContentType = Body.String(json, key); break;
                case "content_encoding": p.ContentEncoding = Body.String(json, key); break;
                case "delivery_mode": p.DeliveryMode = (byte)Math.Clamp(Body.Integer(json, key) ?? 1, 0, 255); break;
                case "priority": p.Priority = (byte)Math.Clamp(Body.Integer(json, key) ?? 0, 0, 255); break;
                case "correlation_id": p.CorrelationId = Body.String(json, key); break;
                case "reply_to": p.ReplyTo = Body.String(json, key); break;
                case "expiration": p.Expiration = Body.String(json, key); break;
                case "message_id": p.MessageId = Body.String(json, key); break;
                case "timestamp": p.Timestamp = (ulong?)Body.Integer(json, key); break;
                case "type": p.Type = Body.String(json, key); break;
                case "user_id": p.UserId = Body.String(json, key); break;
                case "app_id": p.AppId = Body.String(json, key); break;
                case "cluster_id": p.ClusterId = Body.String(json, key); break;
                case "headers": p.Headers = FromJson(Body.Object(json, key)); break;
                default: break; // RabbitMQ ignores properties it does not know
            }
        }
        return p;
    }
}
