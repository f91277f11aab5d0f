using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Xunit;

namespace Warren.Broker.Tests.Queues;

public sealed class EntryDequeTests
{
    private static readonly Message Shared = new("", "", MessageProperties.Empty, []);

    private static QueueEntry Entry(long sequence) => new(Shared, sequence, Redelivered: false);

    private static List<long> DrainSequences(EntryDeque deque)
    {
        var sequences = new List<long>();
        while (deque.Count > 0) sequences.Add(deque.PopFront().Sequence);
        return sequences;
    }

    [Fact]
    public void It_grows_past_its_initial_capacity_keeping_the_order()
    {
        var deque = new EntryDeque();
        for (var i = 0; i < 100; i++) deque.PushBack(Entry(i));

        Assert.Equal(100, deque.Count);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), DrainSequences(deque));
    }

    [Fact]
    public void It_wraps_around_the_end_of_its_buffer_and_grows_while_wrapped()
    {
        var deque = new EntryDeque();
        for (var i = 0; i < 12; i++) deque.PushBack(Entry(i));
        for (var i = 0; i < 10; i++) Assert.Equal(i, deque.PopFront().Sequence);
        // The head is now near the end of the 16-slot buffer: these pushes wrap, then force growth.
        for (var i = 12; i < 40; i++) deque.PushBack(Entry(i));

        Assert.Equal(10, deque.PeekFront().Sequence);
        Assert.Equal(Enumerable.Range(10, 30).Select(i => (long)i), DrainSequences(deque));
    }

    [Fact]
    public void Inserting_an_older_entry_at_the_head_wraps_before_index_zero()
    {
        var deque = new EntryDeque();
        deque.PushBack(Entry(5));
        deque.PushBack(Entry(6));

        deque.InsertInOrder(Entry(3));
        deque.InsertInOrder(Entry(1));

        Assert.Equal(1, deque.PeekFront().Sequence);
        Assert.Equal([1L, 3, 5, 6], DrainSequences(deque));
    }

    [Fact]
    public void Inserting_in_order_places_entries_between_and_after_the_others()
    {
        var deque = new EntryDeque();
        foreach (var s in new long[] { 2, 4, 6 }) deque.PushBack(Entry(s));

        deque.InsertInOrder(Entry(5));
        deque.InsertInOrder(Entry(3));
        deque.InsertInOrder(Entry(9));

        Assert.Equal([2L, 3, 4, 5, 6, 9], DrainSequences(deque));
    }

    [Fact]
    public void Inserting_in_order_into_a_full_buffer_grows_it()
    {
        var deque = new EntryDeque();
        for (var i = 1; i <= 16; i++) deque.PushBack(Entry(i * 2));

        deque.InsertInOrder(Entry(7));

        Assert.Equal(17, deque.Count);
        Assert.Equal(new long[] { 2, 4, 6, 7 }.Concat(Enumerable.Range(4, 13).Select(i => (long)i * 2)), DrainSequences(deque));
    }

    [Fact]
    public void Clear_empties_it_and_it_is_usable_afterwards()
    {
        var deque = new EntryDeque();
        for (var i = 0; i < 20; i++) deque.PushBack(Entry(i));

        deque.Clear();
        deque.PushBack(Entry(100));

        Assert.Equal([100L], DrainSequences(deque));
    }

    // Operations: 0-4 push the next sequence number, 5-7 pop the front, 8-9 requeue one popped entry
    // (chosen by the second number). Pushes dominate so that the buffer grows and wraps.
    private static readonly Arbitrary<List<(int Op, int Pick)>> Operations =
        Gen.Choose(0, 400)
            .SelectMany(n => Gen.ListOf(Gen.Choose(0, 9).SelectMany(_ => Gen.Choose(0, 1000), (op, pick) => (op, pick)), n))
            .Select(ops => ops.ToList())
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property It_always_holds_the_same_sequence_numbers_as_a_sorted_list() =>
        Prop.ForAll(Operations, operations =>
        {
            var deque = new EntryDeque();
            var model = new SortedSet<long>();
            var popped = new List<long>();
            long next = 0;
            foreach (var (op, pick) in operations)
            {
                if (op <= 4)
                {
                    deque.PushBack(Entry(next));
                    model.Add(next++);
                }
                else if (op <= 7)
                {
                    if (model.Count == 0) continue;
                    var front = deque.PopFront().Sequence;
                    if (front != model.Min) return false.Label($"popped {front}, expected {model.Min}");
                    model.Remove(front);
                    popped.Add(front);
                }
                else
                {
                    if (popped.Count == 0) continue;
                    var index = pick % popped.Count;
                    var sequence = popped[index];
                    popped.RemoveAt(index);
                    deque.InsertInOrder(Entry(sequence));
                    model.Add(sequence);
                }
                if (deque.Count != model.Count) return false.Label($"count {deque.Count}, expected {model.Count}");
                if (model.Count > 0 && deque.PeekFront().Sequence != model.Min) return false.Label($"front {deque.PeekFront().Sequence}, expected {model.Min}");
            }
            var all = DrainSequences(deque);
            return all.SequenceEqual(model).Label($"drained [{string.Join(",", all)}], expected [{string.Join(",", model)}]");
        });
}
