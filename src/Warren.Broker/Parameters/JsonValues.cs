using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Warren.Broker.Parameters;

/// <summary>
/// Converts between JSON and the broker's value vocabulary (string, long, double, bool, null,
/// lists of object? and string-keyed tables of object?), used for parameter values, policy
/// definitions and x-arguments in definitions files. Integers become long, as AMQP tables carry them.
/// </summary>
public static class JsonValues
{
    /// <summary>Reads a JSON element as a broker value.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => FromJsonObject(element),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        _ => null,
    };

    /// <summary>Reads a JSON object as a table.</summary>
    public static Dictionary<string, object?> FromJsonObject(JsonElement element)
    {
        var table = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object) return table;
        foreach (var property in element.EnumerateObject()) table[property.Name] = FromJson(property.Value);
        return table;
    }

    /// <summary>Parses JSON text as a broker value.</summary>
    public static object? FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    /// <summary>Writes a broker value (also AMQP table values: ints of every width, decimals, timestamps, byte arrays as text).</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case byte[] bytes: writer.WriteStringValue(Encoding.UTF8.GetString(bytes)); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case sbyte or byte or short or ushort or int or uint or long: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case float f: writer.WriteNumberValue(f); break;
            case double d: writer.WriteNumberValue(d); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case DateTimeOffset time: writer.WriteNumberValue(time.ToUnixTimeSeconds()); break;
            case IReadOnlyDictionary<string, object?> table:
                writer.WriteStartObject();
                foreach (var (key, item) in table)
                {
                    writer.WritePropertyName(key);
                    Write(writer, item);
                }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }

    /// <summary>A broker value as JSON text.</summary>
    public static string ToJson(object? value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) Write(writer, value);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
