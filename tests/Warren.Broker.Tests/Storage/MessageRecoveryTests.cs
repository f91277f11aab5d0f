using Xunit;
using static Warren.Broker.Tests.Storage.StorageTestModel;

namespace Warren.Broker.Tests.Storage;

public sealed class MessageRecoveryTests
{
    [Fact]
    public void Only_persistent_messages_on_durable_queues_survive_a_restart()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var durable = vhost.Declare("durable", DurableQueue);
            var transient = vhost.Declare("transient", TransientQueue);
            Assert.True(durable.IsPersistent);
            Assert.False(transient.IsPersistent);
            vhost.Publish("", Persistent("p1", "durable"));
            vhost.Publish("", Transient("t1", "durable"));
            vhost.Publish("", Persistent("p2", "durable"));
            vhost.Publish("", Persistent("p3", "transient"));
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["p1", "p2"], broker.Queue("durable").TakeAll().Select(e => e.Text()));
            Assert.Equal(["durable"], broker.Root().Queues.Select(q => q.Name));
        }
    }

    [Fact]
    public void Publishing_a_persistent_message_to_a_durable_queue_returns_a_ticket_and_a_transient_one_none()
    {
        using var data = new TempDataDirectory();
        using var broker = data.Open();
        var vhost = broker.Root();
        vhost.Declare("durable", DurableQueue);
        vhost.Declare("transient", TransientQueue);

        Assert.True(vhost.Publish("", Persistent("p", "durable")).DurabilityTicket > 0);
        Assert.Equal(0, vhost.Publish("", Transient("t", "durable")).DurabilityTicket);
        Assert.Equal(0, vhost.Publish("", Persistent("p", "transient")).DurabilityTicket);
    }

    [Fact]
    public async Task A_durability_listener_hears_of_every_ticket_once_it_is_on_disk()
    {
        using var data = new TempDataDirectory();
        using var broker = data.Open();
        var vhost = broker.Root();
        vhost.Declare("q", DurableQueue);
        var storage = broker.Storage!;
        var listener = new TicketListener();
        storage.AddListener(listener);

        long ticket = 0;
        for (var i = 0; i < 1000; i++) ticket = Math.Max(ticket, vhost.Publish("", Persistent($"m{i}")).DurabilityTicket);
        var durable = await listener.WaitForAsync(ticket).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.True(durable >= ticket);
        Assert.True(storage.DurableTicket >= ticket);
        storage.RemoveListener(listener);
    }

    [Fact]
    public void Order_is_preserved_across_restarts()
    {
        using var data = new TempDataDirectory();
        var expected = Enumerable.Range(0, 500).Select(i => $"m{i}").ToList();
        using (var broker = data.Open())
        {
            broker.Root().Declare("q", DurableQueue);
            foreach (var body in expected.Take(300)) broker.Root().Publish("", Persistent(body));
        }
        using (var broker = data.Open())
        {
            foreach (var body in expected.Skip(300)) broker.Root().Publish("", Persistent(body));
        }

        using (var broker = data.Open())
        {
            Assert.Equal(expected, broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    [Fact]
    public void Acknowledged_messages_do_not_come_back()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.Declare("q", DurableQueue);
            foreach (var body in new[] { "a", "b", "c", "d", "e" }) vhost.Publish("", Persistent(body));
            Assert.True(queue.TryGet(noAck: true, out _, out _)); // a: settled at once
            Assert.True(queue.TryGet(noAck: false, out var b, out _));
            queue.Settle(b); // b: acknowledged
            Assert.True(queue.TryGet(noAck: false, out var c, out _));
            Assert.True(queue.TryGet(noAck: false, out var d, out _));
            queue.Settle(d); // d: acknowledged, c left unacknowledged
            Assert.Equal(1, queue.Purge()); // e: purged
            GC.KeepAlive(c);
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["c"], broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    [Fact]
    public void A_delivered_unacknowledged_message_comes_back_redelivered_and_an_undelivered_one_not()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.Declare("q", DurableQueue);
            vhost.Publish("", Persistent("delivered"));
            vhost.Publish("", Persistent("waiting"));
            Assert.True(queue.TryGet(noAck: false, out _, out _));
        }

        using (var broker = data.Open())
        {
            var entries = broker.Queue("q").TakeAll();
            Assert.Equal(["delivered", "waiting"], entries.Select(e => e.Text()));
            Assert.Equal([true, false], entries.Select(e => e.Redelivered));
        }
    }

    [Fact]
    public void A_requeued_message_is_still_there_after_a_restart_in_its_place()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.Declare("q", DurableQueue);
            vhost.Publish("", Persistent("a"));
            vhost.Publish("", Persistent("b"));
            Assert.True(queue.TryGet(noAck: false, out var a, out _));
            queue.Requeue([a]);
        }

        using (var broker = data.Open())
        {
            var entries = broker.Queue("q").TakeAll();
            Assert.Equal(["a", "b"], entries.Select(e => e.Text()));
            Assert.True(entries[0].Redelivered);
        }
    }

    [Fact]
    public void Messages_published_after_a_restart_are_acknowledged_for_good_while_a_recovered_one_is_unacknowledged()
    {
        // Recovered "a" is live; "b" and "c" were acknowledged before the restart, so their
        // sequence numbers lie inside a's recovered segment. Messages published after the restart
        // must not be confused with them.
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.Declare("q", DurableQueue);
            foreach (var body in new[] { "a", "b", "c" }) vhost.Publish("", Persistent(body));
            Assert.True(queue.TryGet(noAck: false, out _, out _)); // a stays unacknowledged
            Assert.Equal(["b", "c"], queue.TakeAll().Select(e => e.Text()));
        }

        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            var queue = vhost.GetQueue("q", connection: null);
            vhost.Publish("", Persistent("d"));
            Assert.True(queue.TryGet(noAck: false, out var a, out _)); // a, delivered again, not acknowledged
            Assert.Equal("a", a.Text());
            Assert.Equal(["d"], queue.TakeAll().Select(e => e.Text())); // d acknowledged
        }

        using (var broker = data.Open())
        {
            Assert.Equal(["a"], broker.Queue("q").TakeAll().Select(e => e.Text()));
        }
    }

    private sealed class TicketListener : Warren.Broker.Storage.IDurabilityListener
    {
        private readonly object _sync = new();
        private readonly List<(long Ticket, TaskCompletionSource<long> Done)> _waiting = new();
        private long _durable;

        public Task<long> WaitForAsync(long ticket)
        {
            lock (_sync)
            {
                if (_durable >= ticket) return Task.FromResult(_durable);
                var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((ticket, done));
                return done.Task;
            }
        }

        public void OnDurable(long durableTicket)
        {
            lock (_sync)
            {
                _durable = Math.Max(_durable, durableTicket);
                foreach (var (ticket, done) in _waiting.Where(w => w.Ticket <= _durable).ToList())
                {
                    done.TrySetResult(_durable);
                    _waiting.Remove((ticket, done));
                }
            }
        }
    }
}
