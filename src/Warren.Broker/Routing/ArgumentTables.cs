using System.Collections;
using System.Text;

namespace Warren.Broker.Routing;

/// <summary>Comparison and reading of argument tables (AMQP field tables, protocol-neutral).</summary>
public static class ArgumentTables
{
    /// <summary>Deep equality of two tables; a missing table equals an empty one.</summary>
    public static bool AreEqual(IReadOnlyDictionary<string, object?>? a, IReadOnlyDictionary<string, object?>? b)
    {
        int countA = a?.Count ?? 0, countB = b?.Count ?? 0;
        if (countA != countB) return false;
        if (countA == 0) return true;
        foreach (var (key, value) in a!)
        {
            if (!b!.TryGetValue(key, out var other) || !ValuesEqual(value, other)) return false;
        }
        return true;
    }

    /// <summary>Deep equality of two field values; a long string compares equal whether held as bytes or as a string.</summary>
    public static bool ValuesEqual(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (TryGetString(a, out var sa) && TryGetString(b, out var sb)) return sa == sb;
        return (a, b) switch
        {
            (IReadOnlyDictionary<string, object?> ta, IReadOnlyDictionary<string, object?> tb) => AreEqual(ta, tb),
            (IList la, IList lb) => ListsEqual(la, lb),
            _ => a.Equals(b),
        };
    }

    private static bool ListsEqual(IList a, IList b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!ValuesEqual(a[i], b[i])) return false;
        }
        return true;
    }

    /// <summary>Reads a value as a string when it is one (a string, or long-string bytes as UTF-8).</summary>
    public static bool TryGetString(object? value, out string text)
    {
        switch (value)
        {
            case string s: text = s; return true;
            case byte[] bytes: text = Encoding.UTF8.GetString(bytes); return true;
            default: text = ""; return false;
        }
    }

    /// <summary>Reads an integer-typed value as a long.</summary>
    public static bool TryGetInteger(object? value, out long number)
    {
        switch (value)
        {
            case sbyte v: number = v; return true;
            case byte v: number = v; return true;
            case short v: number = v; return true;
            case ushort v: number = v; return true;
            case int v: number = v; return true;
            case uint v: number = v; return true;
            case long v: number = v; return true;
            default: number = 0; return false;
        }
    }
}
