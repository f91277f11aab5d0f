using Warren.Broker.Messages;
using System.Globalization;
using System.Text;

namespace Warren.Broker.Routing;

/// <summary>
/// The binding test of a headers exchange, as RabbitMQ's <c>rabbit_exchange_type_headers</c> does it.
/// </summary>
/// <remarks>
/// <para>
/// <c>x-match</c> is <c>all</c> (the default), <c>any</c>, <c>all-with-x</c> or <c>any-with-x</c>.
/// The <c>x-match</c> key itself never takes part; other binding keys starting with "x-" take part
/// only with the -with-x variants. With no key taking part, <c>all</c> matches every message and
/// <c>any</c> matches none (RabbitMQ starts from AllMatch = true, AnyMatch = false).
/// A binding value of void (null) matches when the header is present, whatever its value.
/// </para>
/// <para>
/// Values: RabbitMQ compares the decoded values with Erlang <c>==</c>, ignoring the field types.
/// So numbers compare by value across integer and floating types (int 1 equals long 1 and double
/// 1.0; a timestamp is an integer of seconds there, so it equals that integer), AMQP long strings
/// and byte arrays compare by bytes (a <see cref="string"/> equals a <see cref="byte"/>[] holding its
/// UTF-8), booleans equal only booleans, and a decimal is a {scale, value} pair, so it equals only a
/// decimal with the same scale and digits (1.5 is not 1.50). Nested tables and arrays are compared
/// with these same rules, keys in any order; this is looser than RabbitMQ, which compares nested
/// fields with their types and tables in wire order.
/// </para>
/// </remarks>
public static class HeadersMatch
{
    private const string XMatch = "x-match";

    private enum Kind
    {
        All,
        Any,
        AllWithX,
        AnyWithX,
    }

    /// <summary>True when a message with <paramref name="messageHeaders"/> matches a binding whose
    /// arguments are <paramref name="bindingArguments"/>.</summary>
    public static bool Matches(
        IReadOnlyDictionary<string, object?>? bindingArguments,
        IReadOnlyDictionary<string, object?>? messageHeaders)
    {
        var kind = Kind.All;
        if (bindingArguments is not null && bindingArguments.TryGetValue(XMatch, out var xMatch))
        {
            // An unknown value means all: RabbitMQ's legacy parse_x_match/1, kept for bindings made
            // before x-match was validated.
            kind = TryParse(xMatch, out var parsed) ? parsed : Kind.All;
        }

        var any = kind is Kind.Any or Kind.AnyWithX;
        var withX = kind is Kind.AllWithX or Kind.AnyWithX;
        if (bindingArguments is null)
        {
            return true;
        }

        foreach (var (key, expected) in bindingArguments)
        {
            if (key == XMatch || (!withX && key.StartsWith("x-", StringComparison.Ordinal)))
            {
                continue;
            }

            var matched = messageHeaders is not null
                && messageHeaders.TryGetValue(key, out var actual)
                && (expected is null || ValuesEqual(expected, actual));
            if (matched == any)
            {
                // First hit decides any; first miss decides all.
                return any;
            }
        }

        return !any;
    }

    /// <summary>
    /// Validates an <c>x-match</c> binding argument at bind time. It must be absent (null) or a long
    /// string (string or UTF-8 byte[]) naming all, any, all-with-x or any-with-x.
    /// </summary>
    /// <param name="value">The argument's value; null when the argument is absent.</param>
    /// <param name="error">RabbitMQ's text for the 406 channel close, without the "PRECONDITION_FAILED - "
    /// prefix of the reply text; null when valid.</param>
    public static bool IsValidXMatch(object? value, out string? error)
    {
        if (value is null || TryParse(value, out _))
        {
            error = null;
            return true;
        }

        // Texts and ~tp rendering from rabbit_exchange_type_headers:validate_binding/2.
        error = value is string or byte[]
            ? $"Invalid x-match field value {FieldValues.FormatTerm(value)}; expected all, any, all-with-x, or any-with-x"
            : $"Invalid x-match field type {FieldValues.TypeName(value)} (value {FieldValues.FormatTerm(value)}); expected longstr";
        return false;
    }

    private static bool TryParse(object? value, out Kind kind)
    {
        if (value is string text)
        {
            return TryParse(text, out kind);
        }

        kind = Kind.All;
        if (value is not byte[] bytes)
        {
            return false;
        }

        ReadOnlySpan<byte> utf8 = bytes;
        if (utf8.SequenceEqual("all"u8))
        {
            return true;
        }

        kind = utf8.SequenceEqual("any"u8) ? Kind.Any
            : utf8.SequenceEqual("all-with-x"u8) ? Kind.AllWithX
            : utf8.SequenceEqual("any-with-x"u8) ? Kind.AnyWithX
            : Kind.All;
        return kind != Kind.All;
    }

    private static bool TryParse(string text, out Kind kind)
    {
        switch (text)
        {
            case "all": kind = Kind.All; return true;
            case "any": kind = Kind.Any; return true;
            case "all-with-x": kind = Kind.AllWithX; return true;
            case "any-with-x": kind = Kind.AnyWithX; return true;
            default: kind = Kind.All; return false;
        }
    }

    private static bool ValuesEqual(object? expected, object? actual)
    {
        switch (expected)
        {
            case null:
                return actual is null;
            case bool b:
                return actual is bool otherBool && b == otherBool;
            case string s:
                return actual switch
                {
                    string t => string.Equals(s, t, StringComparison.Ordinal),
                    byte[] bytes => Utf8Equals(s, bytes),
                    _ => false,
                };
            case byte[] bytes:
                return actual switch
                {
                    byte[] otherBytes => bytes.AsSpan().SequenceEqual(otherBytes),
                    string t => Utf8Equals(t, bytes),
                    _ => false,
                };
            case decimal d:
                return actual is decimal e && d == e && d.Scale == e.Scale;
            case IReadOnlyDictionary<string, object?> table:
                return actual is IReadOnlyDictionary<string, object?> otherTable && TablesEqual(table, otherTable);
            case IReadOnlyList<object?> array:
                return actual is IReadOnlyList<object?> otherArray && ArraysEqual(array, otherArray);
            default:
                return NumbersEqual(expected, actual);
        }
    }

    private static bool NumbersEqual(object expected, object? actual)
    {
        if (TryInteger(expected, out var x) && TryInteger(actual, out var y))
        {
            return x == y;
        }

        return TryDouble(expected, out var dx) && TryDouble(actual, out var dy) && dx == dy;
    }

    private static bool TryInteger(object? value, out long result)
    {
        // AMQP timestamps are seconds since the epoch; RabbitMQ keeps them as plain integers.
        if (value is DateTimeOffset timestamp)
        {
            result = timestamp.ToUnixTimeSeconds();
            return true;
        }
        return FieldValues.TryGetInteger(value, out result);
    }

    private static bool TryDouble(object? value, out double result)
    {
        switch (value)
        {
            case float v: result = v; return true;
            case double v: result = v; return true;
            default:
                var isInteger = TryInteger(value, out var integer);
                result = integer;
                return isInteger;
        }
    }

    private static bool Utf8Equals(string text, byte[] bytes)
    {
        Span<byte> buffer = stackalloc byte[4];
        var offset = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var length = rune.EncodeToUtf8(buffer);
            if (offset + length > bytes.Length || !buffer[..length].SequenceEqual(bytes.AsSpan(offset, length)))
            {
                return false;
            }

            offset += length;
        }

        return offset == bytes.Length;
    }

    private static bool TablesEqual(IReadOnlyDictionary<string, object?> x, IReadOnlyDictionary<string, object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        foreach (var (key, value) in x)
        {
            if (!y.TryGetValue(key, out var other) || !ValuesEqual(value, other))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ArraysEqual(IReadOnlyList<object?> x, IReadOnlyList<object?> y)
    {
        if (x.Count != y.Count)
        {
            return false;
        }

        for (var i = 0; i < x.Count; i++)
        {
            if (!ValuesEqual(x[i], y[i]))
            {
                return false;
            }
        }

        return true;
    }
}
