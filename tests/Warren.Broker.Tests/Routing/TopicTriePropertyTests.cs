using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warren.Broker.Routing;
using Xunit;

namespace Warren.Broker.Tests.Routing;

public sealed class TopicTriePropertyTests
{
    // A small alphabet so that random patterns and keys collide often; "" exercises empty words and
    // literal "*" / "#" in keys exercise wildcards that are not wildcards there.
    private static readonly Gen<string> PatternWord = Gen.Elements("a", "b", "c", "", "*", "#");
    private static readonly Gen<string> KeyWord = Gen.Elements("a", "b", "c", "", "a", "b", "*", "#");

    private static Gen<string> Words(Gen<string> word) =>
        Gen.Choose(0, 5).SelectMany(n => Gen.ListOf(word, n)).Select(words => string.Join('.', words));

    private static readonly Gen<(string Pattern, string Target)> Binding =
        Words(PatternWord).SelectMany(_ => Gen.Elements("q1", "q2", "q3"), (pattern, target) => (pattern, target));

    private static readonly Arbitrary<(List<(string Pattern, string Target)> Bindings, List<string> Keys)> Scenario =
        Gen.Choose(0, 12).SelectMany(n => Gen.ListOf(Binding, n))
            .SelectMany(_ => Gen.Choose(1, 8).SelectMany(n => Gen.ListOf(Words(KeyWord), n)),
                (bindings, keys) => (bindings.ToList(), keys.ToList()))
            .ToArbitrary();

    private static TopicTrie<string> Build(IEnumerable<(string Pattern, string Target)> bindings)
    {
        var trie = new TopicTrie<string>();
        foreach (var (pattern, target) in bindings)
        {
            trie.Add(pattern, target);
        }

        return trie;
    }

    [Property(MaxTest = 1000)]
    public Property Trie_returns_each_binding_the_reference_matcher_accepts_exactly_once() =>
        Prop.ForAll(Scenario, scenario =>
        {
            var trie = Build(scenario.Bindings);
            var distinct = scenario.Bindings.Distinct().ToList();
            foreach (var key in scenario.Keys)
            {
                var actual = new List<string>();
                trie.Match(key, actual);
                var expected = distinct.Where(b => TopicPattern.IsMatch(b.Pattern, key)).Select(b => b.Target);
                if (!actual.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
                {
                    return false.Label($"key \"{key}\": got [{string.Join(", ", actual)}]");
                }
            }

            return true.ToProperty();
        });

    [Property(MaxTest = 500)]
    public Property Count_is_the_number_of_distinct_bindings() =>
        Prop.ForAll(Scenario, scenario =>
            Build(scenario.Bindings).Count == scenario.Bindings.Distinct().Count());

    [Property(MaxTest = 500)]
    public Property After_removing_every_binding_the_trie_is_empty_and_matches_nothing() =>
        Prop.ForAll(Scenario, scenario =>
        {
            var trie = Build(scenario.Bindings);
            foreach (var binding in scenario.Bindings.Distinct())
            {
                if (!trie.Remove(binding.Pattern, binding.Target))
                {
                    return false;
                }
            }

            var results = new List<string>();
            foreach (var key in scenario.Keys)
            {
                trie.Match(key, results);
            }

            return trie.IsEmpty && trie.Count == 0 && results.Count == 0 && trie.LastVisitedNodes == 1;
        });

    [Property(MaxTest = 500)]
    public Property Removing_half_the_bindings_leaves_a_trie_equal_to_one_built_from_the_rest() =>
        Prop.ForAll(Scenario, scenario =>
        {
            var distinct = scenario.Bindings.Distinct().ToList();
            var removed = distinct.Where((_, i) => i % 2 == 0).ToList();
            var kept = distinct.Where((_, i) => i % 2 == 1).ToList();
            var trie = Build(distinct);
            foreach (var (pattern, target) in removed)
            {
                trie.Remove(pattern, target);
            }

            var reference = Build(kept);
            foreach (var key in scenario.Keys)
            {
                var actual = new List<string>();
                var expected = new List<string>();
                trie.Match(key, actual);
                reference.Match(key, expected);
                if (!actual.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
                {
                    return false;
                }
            }

            return trie.Count == kept.Count;
        });
}
