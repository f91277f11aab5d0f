namespace Warren.Broker.Routing;

/// <summary>
/// A plain recursive topic matcher over word arrays: slow, allocating and obviously correct. It is
/// the oracle <see cref="TopicTrie{T}"/> is tested against, not a routing path.
/// </summary>
public static class TopicPattern
{
    /// <summary>True when the binding key <paramref name="pattern"/> matches
    /// <paramref name="routingKey"/> under RabbitMQ's topic rules: '.' separates words, <c>*</c> is
    /// exactly one word, <c>#</c> is zero or more words, and the empty key has no words.</summary>
    public static bool IsMatch(string pattern, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(routingKey);
        return IsMatch(SplitWords(pattern), SplitWords(routingKey));
    }

    // rabbit_db_topic_exchange:split_topic_key/1: <<>> is [], otherwise split at every '.',
    // keeping empty words.
    internal static string[] SplitWords(string key) => key.Length == 0 ? [] : key.Split('.');

    private static bool IsMatch(ReadOnlySpan<string> pattern, ReadOnlySpan<string> key)
    {
        if (pattern.IsEmpty)
        {
            return key.IsEmpty;
        }

        if (pattern[0] == "#")
        {
            return IsMatch(pattern[1..], key) || (!key.IsEmpty && IsMatch(pattern, key[1..]));
        }

        if (key.IsEmpty)
        {
            return false;
        }

        return (pattern[0] == "*" || pattern[0] == key[0]) && IsMatch(pattern[1..], key[1..]);
    }
}
