namespace Warren.Broker.Routing;

// Temporary: replaced by the trie from the routing branch.
public sealed class TopicTrie<T> where T : class
{
    private readonly List<(string, T)> _all = new();
    public void Add(string pattern, T target) { if (!_all.Contains((pattern, target))) _all.Add((pattern, target)); }
    public bool Remove(string pattern, T target) => _all.Remove((pattern, target));
    public void Match(string routingKey, List<T> results)
    {
        foreach (var (p, t) in _all) if (TopicPattern.IsMatch(p, routingKey)) results.Add(t);
    }
}

public static class TopicPattern
{
    public static bool IsMatch(string pattern, string routingKey) => Match(pattern.Split('.'), 0, routingKey.Split('.'), 0);
    private static bool Match(string[] p, int i, string[] k, int j)
    {
        if (i == p.Length) return j == k.Length;
        if (p[i] == "#") { for (var n = j; n <= k.Length; n++) if (Match(p, i + 1, k, n)) return true; return false; }
        if (j == k.Length) return false;
        return (p[i] == "*" || p[i] == k[j]) && Match(p, i + 1, k, j + 1);
    }
}

public static class HeadersMatch
{
    public static bool Matches(IReadOnlyDictionary<string, object?>? bindingArguments, IReadOnlyDictionary<string, object?>? messageHeaders)
    {
        var any = bindingArguments is not null && bindingArguments.TryGetValue("x-match", out var m) && ArgumentTables.TryGetString(m, out var s) && s.StartsWith("any");
        var matched = 0; var total = 0;
        if (bindingArguments is null) return true;
        foreach (var (k, v) in bindingArguments)
        {
            if (k.StartsWith("x-")) continue;
            total++;
            if (messageHeaders is not null && messageHeaders.TryGetValue(k, out var h) && (v is null || ArgumentTables.ValuesEqual(v, h))) matched++;
        }
        return any ? matched > 0 : matched == total;
    }
    public static bool IsValidXMatch(object? value, out string? error) { error = null; return true; }
}
