using Warren.Broker.Routing;
using Xunit;

namespace Warren.Broker.Tests.Routing;

public sealed class TopicTrieTests
{
    private static List<string> Match(TopicTrie<string> trie, string routingKey)
    {
        var results = new List<string>();
        trie.Match(routingKey, results);
        return results;
    }

    private static bool Matches(string pattern, string routingKey)
    {
        var trie = new TopicTrie<string>();
        trie.Add(pattern, "q");
        var matched = Match(trie, routingKey).Count == 1;
        Assert.Equal(TopicPattern.IsMatch(pattern, routingKey), matched);
        return matched;
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a.b.c")]
    [InlineData("..")]
    [InlineData("a.")]
    public void Hash_alone_matches_every_routing_key(string key) => Assert.True(Matches("#", key));

    [Fact]
    public void Hash_alone_matches_the_empty_routing_key() => Assert.True(Matches("#", ""));

    [Fact]
    public void Star_does_not_match_the_empty_routing_key_which_has_no_words() => Assert.False(Matches("*", ""));

    [Fact]
    public void Star_matches_a_single_empty_word_between_dots() => Assert.True(Matches("a.*.b", "a..b"));

    [Fact]
    public void Empty_words_count_as_words() => Assert.True(Matches("*.*.*", "a..b"));

    [Fact]
    public void A_trailing_dot_ends_with_an_empty_word()
    {
        Assert.True(Matches("a.*", "a."));
        Assert.False(Matches("a", "a."));
    }

    [Fact]
    public void The_empty_binding_key_matches_only_the_empty_routing_key()
    {
        Assert.True(Matches("", ""));
        Assert.False(Matches("", "a"));
        Assert.False(Matches("", "."));
    }

    [Fact]
    public void Trailing_hash_matches_zero_words() => Assert.True(Matches("a.#", "a"));

    [Fact]
    public void Trailing_hash_matches_several_words() => Assert.True(Matches("a.#", "a.b.c"));

    [Fact]
    public void Leading_hash_matches_zero_words() => Assert.True(Matches("#.a", "a"));

    [Fact]
    public void Leading_hash_needs_the_last_word() => Assert.False(Matches("#.a", "a.b"));

    [Theory]
    [InlineData("a.b")]
    [InlineData("a.x.b")]
    [InlineData("a.x.y.b")]
    public void Inner_hash_matches_zero_one_or_more_words(string key) => Assert.True(Matches("a.#.b", key));

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("a.b.c")]
    public void Inner_hash_still_needs_both_ends(string key) => Assert.False(Matches("a.#.b", key));

    [Fact]
    public void Star_after_a_word_needs_one_more_word() => Assert.False(Matches("a.*", "a"));

    [Fact]
    public void Star_matches_exactly_one_word()
    {
        Assert.True(Matches("a.*", "a.b"));
        Assert.False(Matches("a.*", "a.b.c"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a.b.c")]
    public void Double_hash_matches_anything(string key) => Assert.True(Matches("#.#", key));

    [Fact]
    public void Star_hash_needs_at_least_one_word()
    {
        Assert.False(Matches("*.#", ""));
        Assert.True(Matches("*.#", "a"));
        Assert.True(Matches("*.#", "a.b.c"));
    }

    [Fact]
    public void Hash_star_needs_at_least_one_word()
    {
        Assert.False(Matches("#.*", ""));
        Assert.True(Matches("#.*", "a"));
        Assert.True(Matches("#.*", "a.b.c"));
    }

    [Fact]
    public void Wildcards_inside_a_word_are_literal()
    {
        Assert.False(Matches("a*", "ab"));
        Assert.True(Matches("a*", "a*"));
        Assert.False(Matches("a#", "a"));
    }

    [Fact]
    public void Literal_star_and_hash_in_the_routing_key_are_matched_once()
    {
        var trie = new TopicTrie<string>();
        trie.Add("*", "star");
        trie.Add("#", "hash");
        Assert.Equal(["hash", "star"], Match(trie, "*").Order());
        Assert.Equal(["hash", "star"], Match(trie, "#").Order());
    }

    [Theory]
    [InlineData("#.#")]
    [InlineData("a.#.#")]
    [InlineData("#.a.#")]
    [InlineData("#.#.#.a.#.#")]
    public void A_binding_matches_once_however_its_hashes_expand(string pattern)
    {
        var trie = new TopicTrie<string>();
        trie.Add(pattern, "q");
        Assert.Equal(["q"], Match(trie, "a.a.a"));
    }

    [Fact]
    public void A_target_bound_with_two_matching_patterns_is_returned_once_per_pattern()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a.*", "q");
        trie.Add("#", "q");
        Assert.Equal(["q", "q"], Match(trie, "a.b"));
    }

    [Fact]
    public void Adding_the_same_binding_twice_is_idempotent()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a.b", "q");
        trie.Add("a.b", "q");
        Assert.Equal(1, trie.Count);
        Assert.Equal(["q"], Match(trie, "a.b"));
    }

    [Fact]
    public void Count_counts_bindings_not_patterns()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a.b", "q1");
        trie.Add("a.b", "q2");
        trie.Add("a.#", "q1");
        Assert.Equal(3, trie.Count);
        Assert.False(trie.IsEmpty);
    }

    [Fact]
    public void Removing_a_binding_that_does_not_exist_returns_false()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a.b", "q");
        Assert.False(trie.Remove("a.b", "other"));
        Assert.False(trie.Remove("a.c", "q"));
        Assert.False(trie.Remove("a", "q"));
        Assert.False(trie.Remove("a.b.c", "q"));
        Assert.Equal(1, trie.Count);
    }

    [Fact]
    public void Removing_one_target_keeps_the_others_on_the_same_pattern()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a.*", "q1");
        trie.Add("a.*", "q2");
        Assert.True(trie.Remove("a.*", "q1"));
        Assert.Equal(["q2"], Match(trie, "a.b"));
    }

    [Fact]
    public void Removing_a_binding_prunes_its_empty_nodes()
    {
        var trie = new TopicTrie<string>();
        trie.Add("x.y.z.#", "q");
        Assert.True(trie.Remove("x.y.z.#", "q"));
        Assert.True(trie.IsEmpty);
        Assert.Empty(Match(trie, "x.y.z"));
        Assert.Equal(1, trie.LastVisitedNodes);
    }

    [Fact]
    public void Removing_a_short_pattern_keeps_the_longer_pattern_below_it()
    {
        var trie = new TopicTrie<string>();
        trie.Add("a", "q1");
        trie.Add("a.b", "q2");
        Assert.True(trie.Remove("a", "q1"));
        Assert.Empty(Match(trie, "a"));
        Assert.Equal(["q2"], Match(trie, "a.b"));
    }

    [Fact]
    public void Matching_does_not_visit_ten_thousand_non_matching_literal_bindings()
    {
        var trie = new TopicTrie<string>();
        for (var i = 0; i < 10_000; i++)
        {
            trie.Add($"stock.nyse{i}.*", $"q{i}");
            trie.Add($"news{i}.#", $"n{i}");
        }

        trie.Add("stock.nyse42.*", "mine");

        Assert.Equal(["mine", "q42"], Match(trie, "stock.nyse42.ibm").Order());
        // root, "stock", "nyse42", "*": the other 20,000 bindings are never entered.
        Assert.Equal(4, trie.LastVisitedNodes);
    }

    [Fact]
    public void Matching_does_not_visit_ten_thousand_non_matching_bindings_behind_a_hash()
    {
        var trie = new TopicTrie<string>();
        for (var i = 0; i < 10_000; i++)
        {
            trie.Add($"#.w{i}", $"q{i}");
        }

        Assert.Empty(Match(trie, "a.b.c"));
        // root, then the '#' node once per offset it can resume at: 0, 2, 4 and "all consumed".
        Assert.Equal(5, trie.LastVisitedNodes);
    }

    [Fact]
    public void Many_hashes_against_a_long_key_stay_polynomial()
    {
        var trie = new TopicTrie<string>();
        trie.Add("#.a.#.a.#.a.#.a.#.a.#", "q");
        var key = string.Join('.', Enumerable.Repeat("a", 250));

        Assert.Equal(["q"], Match(trie, key));
        // Without the per-offset mark on '#' nodes this walk is C(250, 5) paths.
        Assert.InRange(trie.LastVisitedNodes, 1, 6 * 252 * 3);
    }

    [Fact]
    public void Keys_longer_than_a_shortstr_still_match()
    {
        var trie = new TopicTrie<string>();
        trie.Add("#.end", "q");
        var key = string.Join('.', Enumerable.Repeat("word", 500)) + ".end";
        Assert.Equal(["q"], Match(trie, key));
    }
}
