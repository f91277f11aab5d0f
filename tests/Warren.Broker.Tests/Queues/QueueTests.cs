using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;
using Warren.Broker.Tests.Model;
using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Queues;

public sealed class QueueTests
{
    private static (VirtualHost, Queue) NewQueue(QueueSettings? settings = null)
    {
        var vhost = NewVirtualHost();
        return (vhost, vhost.DeclareQueue("q", settings));
    }

    private static void PublishAll(VirtualHost vhost, params string[] bodies)
    {
        foreach (var body in bodies) vhost.Publish("", Message(body, "q"));
    }

    [Fact]
    public void Messages_come_out_in_the_order_they_went_in()
    {
        var (vhost, queue) = NewQueue();
        var bodies = Enumerable.Range(0, 100).Select(i => $"m{i}").ToArray();

        PublishAll(vhost, bodies);

        Assert.Equal(100, queue.MessageCount);
        Assert.Equal(bodies, queue.Drain());
    }

    [Fact]
    public void Get_reports_the_number_of_messages_left_and_counts_unacknowledged_ones()
    {
        var (vhost, queue) = NewQueue();
        PublishAll(vhost, "a", "b", "c");

        Assert.True(queue.TryGet(noAck: false, out var entry, out var remaining));
        Assert.Equal("a"u8.ToArray(), entry.Message.Body);
        Assert.Equal(2, remaining);
        Assert.Equal(1, queue.UnackedCount);
        Assert.True(queue.TryGet(noAck: true, out _, out remaining));
        Assert.Equal(1, remaining);
        Assert.Equal(1, queue.UnackedCount);

        queue.Settle(entry);

        Assert.Equal(0, queue.UnackedCount);
    }

    [Fact]
    public void Get_on_an_empty_queue_returns_nothing()
    {
        var (_, queue) = NewQueue();

        Assert.False(queue.TryGet(noAck: true, out _, out var remaining));
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void Consumers_are_served_round_robin()
    {
        var (vhost, queue) = NewQueue();
        var consumers = Enumerable.Range(0, 3).Select(i => new RecordingConsumer($"c{i}")).ToArray();
        foreach (var consumer in consumers) queue.AddConsumer(consumer);

        PublishAll(vhost, Enumerable.Range(0, 9).Select(i => $"m{i}").ToArray());

        Assert.Equal(["m0", "m3", "m6"], consumers[0].Bodies);
        Assert.Equal(["m1", "m4", "m7"], consumers[1].Bodies);
        Assert.Equal(["m2", "m5", "m8"], consumers[2].Bodies);
        Assert.Equal(0, queue.MessageCount);
    }

    [Fact]
    public void Messages_waiting_in_the_queue_go_to_a_consumer_as_soon_as_it_attaches()
    {
        var (vhost, queue) = NewQueue();
        PublishAll(vhost, "a", "b");
        var consumer = new RecordingConsumer("c");

        queue.AddConsumer(consumer);

        Assert.Equal(["a", "b"], consumer.Bodies);
        Assert.Equal(0, queue.MessageCount);
    }

    [Fact]
    public void A_consumer_that_refuses_is_skipped_for_the_next_one()
    {
        var (vhost, queue) = NewQueue();
        var busy = new RecordingConsumer("busy") { Accepting = false };
        var idle = new RecordingConsumer("idle");
        queue.AddConsumer(busy);
        queue.AddConsumer(idle);

        PublishAll(vhost, "a", "b", "c");

        Assert.Empty(busy.Entries);
        Assert.Equal(["a", "b", "c"], idle.Bodies);
    }

    [Fact]
    public void Messages_wait_while_every_consumer_refuses_and_resume_dispatch_delivers_them_in_order()
    {
        var (vhost, queue) = NewQueue();
        var consumer = new RecordingConsumer("c") { Accepting = false };
        queue.AddConsumer(consumer);
        PublishAll(vhost, "a", "b", "c");
        Assert.Equal(3, queue.MessageCount);

        consumer.Accepting = true;
        queue.ResumeDispatch();

        Assert.Equal(["a", "b", "c"], consumer.Bodies);
        Assert.Equal(0, queue.MessageCount);
    }

    [Fact]
    public void Deliveries_to_consumers_that_expect_acknowledgements_count_as_unacked_until_settled()
    {
        var (vhost, queue) = NewQueue();
        var consumer = new RecordingConsumer("c", noAck: false);
        queue.AddConsumer(consumer);
        PublishAll(vhost, "a", "b");

        Assert.Equal(2, queue.UnackedCount);
        foreach (var delivered in consumer.Entries) queue.Settle(delivered);
        Assert.Equal(0, queue.UnackedCount);
    }

    [Fact]
    public void Requeued_messages_go_back_to_their_original_places_marked_redelivered()
    {
        var (vhost, queue) = NewQueue();
        PublishAll(vhost, "m0", "m1", "m2", "m3", "m4");
        var taken = new QueueEntry[3];
        for (var i = 0; i < 3; i++) Assert.True(queue.TryGet(noAck: false, out taken[i], out _));

        queue.Requeue([taken[0], taken[2]]);
        queue.Requeue([taken[1]]);

        Assert.Equal(0, queue.UnackedCount);
        var entries = new List<QueueEntry>();
        while (queue.TryGet(noAck: true, out var entry, out _)) entries.Add(entry);
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Message.Body)));
        Assert.Equal([true, true, true, false, false], entries.Select(e => e.Redelivered));
    }

    [Fact]
    public void Messages_taken_and_given_back_keep_their_places_ahead_of_messages_published_meanwhile()
    {
        // What a non-destructive peek and a filtered replay of an error queue rely on.
        var (vhost, queue) = NewQueue();
        PublishAll(vhost, "m0", "m1", "m2", "m3");
        var taken = new QueueEntry[4];
        for (var i = 0; i < 4; i++) Assert.True(queue.TryGet(noAck: false, out taken[i], out _));
        PublishAll(vhost, "m4");

        queue.Settle(taken[1]);
        queue.Requeue([taken[0], taken[2], taken[3]]);

        Assert.Equal(["m0", "m2", "m3", "m4"], queue.Drain());
    }

    [Fact]
    public void Requeued_messages_are_dispatched_to_a_consumer_again()
    {
        var (vhost, queue) = NewQueue();
        var consumer = new RecordingConsumer("c", noAck: false);
        queue.AddConsumer(consumer);
        PublishAll(vhost, "a", "b");

        queue.Requeue([.. consumer.Entries]);

        Assert.Equal(["a", "b", "a", "b"], consumer.Bodies);
        Assert.Equal([false, false, true, true], consumer.Entries.Select(e => e.Redelivered));
        Assert.Equal(2, queue.UnackedCount);
    }

    [Fact]
    public void An_exclusive_consumer_keeps_others_out_and_cannot_join_a_queue_with_consumers()
    {
        var (_, queue) = NewQueue();
        queue.AddConsumer(new RecordingConsumer("first"));

        var e = Refused(BrokerError.AccessRefused, () => queue.AddConsumer(new RecordingConsumer("exclusive", exclusive: true)));
        Assert.Equal("queue 'q' in vhost 'test' in exclusive use", e.Message);

        var (_, other) = NewQueue();
        other.AddConsumer(new RecordingConsumer("exclusive", exclusive: true));
        Refused(BrokerError.AccessRefused, () => other.AddConsumer(new RecordingConsumer("second")));
    }

    [Fact]
    public void Removing_the_last_consumer_of_an_auto_delete_queue_asks_for_its_deletion()
    {
        var (vhost, queue) = NewQueue(Plain with { AutoDelete = true });
        var first = new RecordingConsumer("c1");
        var second = new RecordingConsumer("c2");
        queue.AddConsumer(first);
        queue.AddConsumer(second);

        Assert.False(queue.RemoveConsumer(first));
        Assert.False(queue.RemoveConsumer(first));
        Assert.True(queue.RemoveConsumer(second));
        vhost.DeleteQueue(queue);

        Assert.True(queue.IsDeleted);
        Assert.Empty(vhost.Queues);
        Refused(BrokerError.NotFound, () => vhost.GetQueue("q", null));
    }

    [Fact]
    public void Removing_the_last_consumer_of_an_ordinary_queue_keeps_it()
    {
        var (_, queue) = NewQueue();
        var consumer = new RecordingConsumer("c");
        queue.AddConsumer(consumer);

        Assert.False(queue.RemoveConsumer(consumer));
        Assert.False(queue.IsDeleted);
    }

    [Fact]
    public void Deleting_a_queue_object_that_was_replaced_by_a_new_queue_of_the_same_name_leaves_the_new_one()
    {
        var vhost = NewVirtualHost();
        var old = vhost.DeclareQueue("q");
        vhost.DeleteQueue("q", false, false, null);
        var replacement = vhost.DeclareQueue("q");

        vhost.DeleteQueue(old);

        Assert.Same(replacement, vhost.GetQueue("q", null));
        Assert.False(replacement.IsDeleted);
    }

    [Fact]
    public void Round_robin_continues_correctly_after_a_consumer_leaves()
    {
        var (vhost, queue) = NewQueue();
        var consumers = Enumerable.Range(0, 3).Select(i => new RecordingConsumer($"c{i}")).ToArray();
        foreach (var consumer in consumers) queue.AddConsumer(consumer);
        PublishAll(vhost, "m0", "m1");   // c0, c1 served; c2 is next

        queue.RemoveConsumer(consumers[0]);
        PublishAll(vhost, "m2", "m3", "m4");

        Assert.Equal(["m0"], consumers[0].Bodies);
        Assert.Equal(["m1", "m3"], consumers[1].Bodies);
        Assert.Equal(["m2", "m4"], consumers[2].Bodies);
    }
}
