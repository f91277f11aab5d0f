using System.Globalization;
using System.Text;
using Warren.Messaging.Configuration;

namespace Warren.Messaging.Transports;

/// <summary>How a <see cref="TransportMessage"/>'s headers and sent time map to AMQP header values, for every transport alike.</summary>
internal static class HeaderValues
{
    /// <summary>A header value as text; null for values with no text form (tables, arrays).</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => null,
    };

    /// <summary>The sent time as the <see cref="WarrenHeaders.SentTime"/> header carries it: Unix milliseconds, a long.</summary>
    public static object SentTime(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>
    /// Reads a <see cref="WarrenHeaders.SentTime"/> header: Unix milliseconds as any integer, or an
    /// ISO 8601 text (what Warren wrote before, and what another language may find easier to write).
    /// </summary>
    public static DateTimeOffset? ParseSentTime(object? value)
    {
        switch (value)
        {
            case long ms: return FromMilliseconds(ms);
            case int ms: return FromMilliseconds(ms);
            case uint ms: return FromMilliseconds(ms);
            case short ms: return FromMilliseconds(ms);
            default:
                var text = Text(value);
                return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
        }
    }

    private static DateTimeOffset? FromMilliseconds(long ms) =>
        ms is >= -62_135_596_800_000 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>
    /// Copies <paramref name="message"/>'s headers, and its sent time, into a header table; null
    /// when there is nothing to carry.
    /// </summary>
    public static Dictionary<string, object?>? ToTable(TransportMessage message)
    {
        var count = message.HeaderCount + (message.Intent is null ? 0 : 1) + (message.Timestamp is null ? 0 : 1);
        if (count == 0) return null;
        var table = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        if (message.Intent is { } intent) table[WarrenHeaders.Intent] = WarrenBus.IntentName(intent);
        if (message.HeaderCount > 0)
        {
            foreach (var (key, value) in message.Headers) table[key] = value;
        }
        if (message.Timestamp is { } sent) table[WarrenHeaders.SentTime] = SentTime(sent);
        return table;
    }

    /// <summary>
    /// Copies a received header table into <paramref name="message"/>: the sent time into
    /// <see cref="TransportMessage.Timestamp"/> (which then has milliseconds), the rest as text.
    /// </summary>
    public static void FromTable(IEnumerable<KeyValuePair<string, object?>> table, TransportMessage message)
    {
        foreach (var (key, value) in table)
        {
            if (key == WarrenHeaders.SentTime)
            {
                if (ParseSentTime(value) is { } sent) message.Timestamp = sent;
                continue;
            }
            if (key == WarrenHeaders.Intent)
            {
                message.Intent = ParseIntent(value);
                continue;
            }
            var text = Text(value);
            if (text is not null) message.Headers[key] = text;
        }
    }

    private static readonly MessageIntent[] s_intents = [MessageIntent.Event, MessageIntent.Command, MessageIntent.Request, MessageIntent.Reply];

    /// <summary>A <see cref="WarrenHeaders.Intent"/> value, read without making a string of it; null when unknown.</summary>
    private static MessageIntent? ParseIntent(object? value)
    {
        ReadOnlySpan<byte> bytes = value switch
        {
            byte[] array => array,
            ReadOnlyMemory<byte> memory => memory.Span,
            _ => default,
        };
        foreach (var intent in s_intents)
        {
            var name = WarrenBus.IntentName(intent);
            if (value is string text ? text == name : Ascii.Equals(bytes, name)) return intent;
        }
        return null;
    }
}
