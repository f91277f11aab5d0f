using System.Globalization;
using BenchmarkDotNet.Attributes;
using Warren.Broker.Routing;

namespace Warren.Bench.Micro.Routing;

/// <summary>
/// Topic matching with 10,000 bindings (100 services × 100 event kinds, some wildcards): the cost
/// must follow the bindings a key can reach, not the total.
/// </summary>
[MemoryDiagnoser]
public class TopicRoutingBenchmarks
{
    private const int Bindings = 10_000;
    private readonly TopicTrie<string> _trie = new();
    private readonly List<string> _results = new(16);

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < Bindings; i++)
        {
            string service = "service" + (i / 100).ToString(CultureInfo.InvariantCulture);
            string kind = "event" + (i % 100).ToString(CultureInfo.InvariantCulture);
            string pattern = (i % 10) switch
            {
                0 => $"{service}.*.{kind}",
                1 => $"{service}.#",
                _ => $"{service}.eu.{kind}",
            };
            _trie.Add(pattern, "queue" + i.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>A key that reaches a handful of bindings.</summary>
    [Benchmark]
    public int MatchHit()
    {
        _results.Clear();
        _trie.Match("service42.eu.event17", _results);
        return _results.Count;
    }

    /// <summary>A key that reaches none.</summary>
    [Benchmark]
    public int MatchMiss()
    {
        _results.Clear();
        _trie.Match("inventory.us.restocked", _results);
        return _results.Count;
    }
}
