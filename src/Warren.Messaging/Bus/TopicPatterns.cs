namespace Warren.Messaging;

/// <summary>AMQP topic matching: '*' is one word, '#' zero or more, words split by '.'.</summary>
internal static class TopicPatterns
{
    public static bool IsPattern(string topic) => topic.Contains('*', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal);

    public static bool Matches(string pattern, string key) => Match(pattern.Split('.'), 0, key.Split('.'), 0);

    private static bool Match(string[] pattern, int p, string[] words, int w)
    {
        if (p == pattern.Length) return w == words.Length;
        if (pattern[p] == "#")
        {
            for (var skip = w; skip <= words.Length; skip++)
            {
                if (Match(pattern, p + 1, words, skip)) return true;
            }
            return false;
        }
        if (w == words.Length) return false;
        return (pattern[p] == "*" || pattern[p] == words[w]) && Match(pattern, p + 1, words, w + 1);
    }
}
