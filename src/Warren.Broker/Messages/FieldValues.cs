using System.Collections;
using System.Text;
using Warren.Broker.Text;

namespace Warren.Broker.Messages;

/// <summary>
/// The one model of field-table values (header values, arguments of declarations and bindings):
/// which CLR type holds which AMQP type, RabbitMQ's name for each, how values compare, and how a
/// value reads as an integer or a string. Everything that asks such a question asks it here.
/// </summary>
/// <remarks>
/// <code>
/// tag  RabbitMQ name    CLR type                tag  RabbitMQ name  CLR type
///  t   bool             bool                     f   float          float
///  b   byte             sbyte                    d   double         double
///  B   unsignedbyte     byte                     D   decimal        decimal
///  s   short            short                    S   longstr        byte[] (or string, written as S)
///  u   unsignedshort    ushort                   x   binary         BinaryTableValue
///  I   signedint        int                      T   timestamp      DateTimeOffset
///  i   unsignedint      uint                     F   table          IDictionary&lt;string, object?&gt;
///  l   long             long                     A   array          IList
///  L   long             ulong (the bits as sent) V   void           null
/// </code>
/// Every tag RabbitMQ 3.10 accepts has a CLR type of its own, so a table decodes and encodes back to
/// the bytes it came from. RabbitMQ reads 'L' as a signed 64-bit integer, as 'l'; so does
/// <see cref="TryGetInteger"/>.
/// </remarks>
public static class FieldValues
{
    /// <summary>RabbitMQ's name for the value's type, as its error texts print it.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "void",
        bool => "bool",
        sbyte => "byte",
        byte => "unsignedbyte",
        short => "short",
        ushort => "unsignedshort",
        int => "signedint",
        uint => "unsignedint",
        long or ulong => "long",
        float => "float",
        double => "double",
        decimal => "decimal",
        string or byte[] or ReadOnlyMemory<byte> => "longstr",
        BinaryTableValue => "binary",
        DateTimeOffset or DateTime => "timestamp",
        IReadOnlyDictionary<string, object?> or IDictionary<string, object?> => "table",
        IList => "array",
        _ => value.GetType().Name,
    };

    /// <summary>Reads an integer-typed value (any width, signed or not) as a long; 'L' as RabbitMQ does, signed.</summary>
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
            case ulong v: number = unchecked((long)v); return true;
            default: number = 0; return false;
        }
    }

    /// <summary>Reads a value as a string when it is one (a string, or long-string bytes, decoded losslessly).</summary>
    public static bool TryGetString(object? value, out string text)
    {
        switch (value)
        {
            case string s: text = s; return true;
            case byte[] bytes: text = OpaqueText.Decode(bytes); return true;
            default: text = ""; return false;
        }
    }

    /// <summary>
    /// Deep equality of two tables, as RabbitMQ compares the arguments of a re-declaration; a
    /// missing table equals an empty one.
    /// </summary>
    public static bool TablesEqual(IReadOnlyDictionary<string, object?>? a, IReadOnlyDictionary<string, object?>? b)
    {
        int countA = a?.Count ?? 0, countB = b?.Count ?? 0;
        if (countA != countB) return false;
        if (countA == 0) return true;
        foreach (var (key, value) in a!)
        {
            if (!b!.TryGetValue(key, out var other) || !AreEqual(value, other)) return false;
        }
        return true;
    }

    /// <summary>
    /// Deep equality of two values: a long string equals itself whether held as bytes or as a
    /// string; other values equal when of the same type and value.
    /// </summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (IsLongString(a) && IsLongString(b)) return LongStringBytes(a).SequenceEqual(LongStringBytes(b));
        return (a, b) switch
        {
            (byte[] or string, _) or (_, byte[] or string) => false,
            (BinaryTableValue x, BinaryTableValue y) => x.Bytes.AsSpan().SequenceEqual(y.Bytes),
            (IReadOnlyDictionary<string, object?> ta, IReadOnlyDictionary<string, object?> tb) => TablesEqual(ta, tb),
            (IList la, IList lb) => ListsEqual(la, lb),
            _ => a.Equals(b),
        };
    }

    private static bool IsLongString(object value) => value is byte[] or string;

    private static ReadOnlySpan<byte> LongStringBytes(object value) =>
        value as byte[] ?? OpaqueText.GetBytes((string)value);

    private static bool ListsEqual(IList a, IList b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!AreEqual(a[i], b[i])) return false;
        }
        return true;
    }

    /// <summary>Close to Erlang's ~tp, as RabbitMQ prints a value in its texts: binaries as &lt;&lt;"text"&gt;&gt;, booleans as atoms.</summary>
    public static string FormatTerm(object? value) => value switch
    {
        null => "undefined",
        string s => $"<<\"{s}\">>",
        byte[] bytes => $"<<\"{Encoding.UTF8.GetString(bytes)}\">>",
        bool b => b ? "true" : "false",
        DateTimeOffset t => t.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
