namespace Warren.Broker.Routing;

/// <summary>
/// The binding index of a topic exchange: a trie keyed by binding-key word, with dedicated children
/// for the <c>*</c> and <c>#</c> wildcards, so that matching walks only the branches a routing key
/// can reach and its cost does not grow with the number of bindings that cannot match.
/// </summary>
/// <remarks>
/// <para>
/// Words are split as RabbitMQ splits them (<c>rabbit_db_topic_exchange:split_topic_key/1</c>):
/// the empty key is zero words, any other key is split at every '.', and empty words are words
/// ("a..b" is three words, "a." is two). So <c>#</c> matches "" but <c>*</c> does not, and the
/// empty binding key matches only the empty routing key.
/// </para>
/// <para>
/// Not thread-safe, not even for concurrent <see cref="Match"/> calls: matching stamps per-node
/// marks. Callers hold one lock per exchange around every call.
/// </para>
/// </remarks>
/// <typeparam name="T">The binding destination; equality is <see cref="EqualityComparer{T}.Default"/>.</typeparam>
public sealed class TopicTrie<T> where T : class
{
    // Bits of the per-'#'-node visited mark allocated up front: an AMQP routing key is a shortstr
    // (at most 255 bytes), so its word offsets run from 0 to 256 ("all words consumed").
    private const int InitialMarkBits = 320;

    private readonly Node _root = new(isHash: false);
    private long _epoch;

    /// <summary>The number of distinct (pattern, target) bindings.</summary>
    public int Count { get; private set; }

    /// <summary>True when the trie holds no binding.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Nodes entered by the last <see cref="Match"/>; lets tests check that matching skips
    /// unreachable bindings without timing anything.</summary>
    internal int LastVisitedNodes { get; private set; }

    /// <summary>Binds <paramref name="target"/> with <paramref name="pattern"/>; binding the same pair
    /// twice is a no-op.</summary>
    public void Add(string pattern, T target)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(target);

        var node = _root;
        var words = new WordCursor(pattern);
        while (words.TryNext(out var word))
        {
            node = node.GetOrAddChild(word);
        }

        node.Targets ??= [];
        if (node.Targets.Add(target))
        {
            Count++;
        }
    }

    /// <summary>Unbinds <paramref name="target"/> from <paramref name="pattern"/> and prunes the nodes
    /// left without bindings or children.</summary>
    /// <returns>False when the binding did not exist.</returns>
    public bool Remove(string pattern, T target)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(target);

        var removed = Remove(_root, new WordCursor(pattern), target);
        if (removed)
        {
            Count--;
        }

        return removed;
    }

    /// <summary>
    /// Appends to <paramref name="results"/> the target of every binding whose pattern matches
    /// <paramref name="routingKey"/>. A target bound with several matching patterns appears once per
    /// pattern (the caller deduplicates); one binding never appears twice, however many ways its
    /// <c>#</c> words can expand (<c>#.#</c>, <c>#.a.#</c>).
    /// </summary>
    public void Match(string routingKey, List<T> results)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(results);

        _epoch++;
        LastVisitedNodes = 0;
        // The empty key has no words: start in the "all consumed" state.
        var start = routingKey.Length == 0 ? End(routingKey) : 0;
        Visit(_root, routingKey, start, results);
    }

    // A position in the routing key is the offset of the next word's first char, or End(key) once
    // every word is consumed. End is Length + 1, not Length, because "a." still has an empty word
    // at offset 2 after "a" is consumed.
    private static int End(string key) => key.Length + 1;

    private void Visit(Node node, string key, int offset, List<T> results)
    {
        LastVisitedNodes++;
        var end = End(key);
        if (offset == end)
        {
            if (node.Targets is { } targets)
            {
                foreach (var target in targets)
                {
                    results.Add(target);
                }
            }
        }
        else
        {
            var wordEnd = key.IndexOf('.', offset);
            if (wordEnd < 0)
            {
                wordEnd = key.Length;
            }

            var next = wordEnd + 1;
            if (node.Children is not null
                && node.ChildrenByWord.TryGetValue(key.AsSpan(offset, wordEnd - offset), out var literal))
            {
                Visit(literal, key, next, results);
            }

            if (node.Star is { } star)
            {
                Visit(star, key, next, results);
            }
        }

        if (node.Hash is { } hash)
        {
            // '#' swallows zero, one, ... all remaining words. Every path that resumes after this
            // '#' at the same offset continues identically, so each offset is explored once per
            // match. That keeps one binding from matching twice (#.# or #.a.# reach their node
            // through several expansions) and bounds the work by (#-nodes × words) where patterns
            // like #.a.#.a.# would otherwise explode combinatorially on long keys.
            // Loops over one '#' node never nest (they all start from its parent, which is not its
            // own descendant) and each runs to the end, so the first offset found already explored
            // means every later one was too.
            var at = offset;
            while (hash.MarkVisited(_epoch, at))
            {
                Visit(hash, key, at, results);
                if (at == end)
                {
                    break;
                }

                var dot = key.IndexOf('.', at);
                at = dot < 0 ? end : dot + 1;
            }
        }
    }

    private static bool Remove(Node node, WordCursor words, T target)
    {
        if (!words.TryNext(out var word))
        {
            return node.Targets is { } targets && targets.Remove(target);
        }

        var child = node.FindChild(word);
        if (child is null || !Remove(child, words, target))
        {
            return false;
        }

        if (child.IsEmpty)
        {
            node.RemoveChild(word);
        }

        return true;
    }

    /// <summary>Walks the words of a binding key with RabbitMQ's split rule, without allocating.</summary>
    private struct WordCursor(string text)
    {
        private int _offset = text.Length == 0 ? text.Length + 1 : 0;

        public bool TryNext(out ReadOnlySpan<char> word)
        {
            if (_offset > text.Length)
            {
                word = default;
                return false;
            }

            var dot = text.IndexOf('.', _offset);
            var wordEnd = dot < 0 ? text.Length : dot;
            word = text.AsSpan(_offset, wordEnd - _offset);
            _offset = wordEnd + 1;
            return true;
        }
    }

    private sealed class Node(bool isHash)
    {
        private long _markEpoch;
        private ulong[]? _marks = isHash ? new ulong[InitialMarkBits / 64] : null;

        // Literal words only: "*" and "#" in a pattern always mean the wildcards.
        public Dictionary<string, Node>? Children { get; private set; }

        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> ChildrenByWord { get; private set; }

        public Node? Star { get; private set; }

        public Node? Hash { get; private set; }

        public HashSet<T>? Targets { get; set; }

        public bool IsEmpty =>
            (Targets is null || Targets.Count == 0)
            && (Children is null || Children.Count == 0)
            && Star is null
            && Hash is null;

        public Node GetOrAddChild(ReadOnlySpan<char> word)
        {
            if (word is "*")
            {
                return Star ??= new Node(isHash: false);
            }

            if (word is "#")
            {
                return Hash ??= new Node(isHash: true);
            }

            if (Children is null)
            {
                Children = new Dictionary<string, Node>(StringComparer.Ordinal);
                ChildrenByWord = Children.GetAlternateLookup<ReadOnlySpan<char>>();
            }

            var byWord = ChildrenByWord;
            if (!byWord.TryGetValue(word, out var child))
            {
                child = new Node(isHash: false);
                byWord[word] = child;
            }

            return child;
        }

        public Node? FindChild(ReadOnlySpan<char> word)
        {
            if (word is "*")
            {
                return Star;
            }

            if (word is "#")
            {
                return Hash;
            }

            return Children is not null && ChildrenByWord.TryGetValue(word, out var child) ? child : null;
        }

        public void RemoveChild(ReadOnlySpan<char> word)
        {
            if (word is "*")
            {
                Star = null;
            }
            else if (word is "#")
            {
                Hash = null;
            }
            else if (Children is not null)
            {
                var byWord = ChildrenByWord;
                byWord.Remove(word);
            }
        }

        /// <summary>Marks <paramref name="offset"/> visited in this match; false if it already was.</summary>
        public bool MarkVisited(long epoch, int offset)
        {
            if (offset >= _marks!.Length * 64)
            {
                // Only for keys longer than an AMQP shortstr; grows once per node, never shrinks.
                Array.Resize(ref _marks, (offset / 64) + 1);
            }

            if (_markEpoch != epoch)
            {
                Array.Clear(_marks);
                _markEpoch = epoch;
            }

            ref var bits = ref _marks[offset / 64];
            var bit = 1UL << (offset % 64);
            if ((bits & bit) != 0)
            {
                return false;
            }

            bits |= bit;
            return true;
        }
    }
}
