namespace Warren.Broker.Text;

/// <summary>
/// Fits text the broker writes (reply texts, error messages with names in them) into an AMQP
/// short string: at most 255 bytes of UTF-8. A name of 255 bytes inside "NOT_FOUND - no queue
/// '...' in vhost '/'" is longer than that; cutting by characters can still leave more than 255
/// bytes (issue 10, defect 5), so the cut is made by bytes, on a character boundary.
/// </summary>
public static class ShortText
{
    /// <summary>The most bytes a short string holds.</summary>
    public const int MaxBytes = 255;

    private const string Ellipsis = "...";

    /// <summary>The text itself when it fits; otherwise its longest prefix that fits with "..." after it.</summary>
    public static string Fit(string text)
    {
        if (text.Length <= MaxBytes / 3 || OpaqueText.GetByteCount(text) <= MaxBytes) return text;
        var budget = MaxBytes - Ellipsis.Length;
        var bytes = 0;
        var end = 0;
        while (end < text.Length)
        {
            // A surrogate pair is one character of four bytes: never split it.
            var width = char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            var size = OpaqueText.GetByteCount(text.AsSpan(end, width));
            if (bytes + size > budget) break;
            bytes += size;
            end += width;
        }
        return string.Concat(text.AsSpan(0, end), Ellipsis);
    }
}
