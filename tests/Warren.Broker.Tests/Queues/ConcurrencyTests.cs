using Warren.Broker.Consumers;
using Warren.Broker.Queues;
using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Queues;

public sealed class ConcurrencyTests
{
    private sealed class CountingConsumer(string tag, int[] seen, Action onDelivered) : Consumer(tag, noAck: true, exclusive: false)
    {
        public int Delivered;

        protected internal override bool TryDeliver(in QueueEntry entry)
        {
            Interlocked.Increment(ref seen[BitConverter.ToInt32(entry.Message.Body)]);
            Interlocked.Increment(ref Delivered);
            onDelivered();
            return true;
        }

        protected internal override void OnCancelledByBroker() { }
    }

    [Fact]
    public async Task Messages_published_from_several_threads_are_each_delivered_exactly_once()
    {
        const int Publishers = 4, PerPublisher = 20_000, Total = Publishers * PerPublisher;
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        vhost.Bind("q", "amq.fanout");
        var seen = new int[Total];
        var delivered = 0;
        var allDelivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivered()
        {
            if (Interlocked.Increment(ref delivered) == Total) allDelivered.TrySetResult();
        }
        var consumers = Enumerable.Range(0, 3).Select(i => new CountingConsumer($"c{i}", seen, OnDelivered)).ToArray();
        foreach (var consumer in consumers) queue.AddConsumer(consumer);

        using var start = new Barrier(Publishers);
        var publishers = Enumerable.Range(0, Publishers).Select(p => Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerPublisher; i++)
            {
                var id = p * PerPublisher + i;
                // Alternate the default exchange and a fanout so routing runs concurrently too.
                var exchange = i % 2 == 0 ? "" : "amq.fanout";
                vhost.Publish(exchange, new Warren.Broker.Messages.Message(exchange, "q", Warren.Broker.Messages.MessageProperties.Empty, BitConverter.GetBytes(id)));
            }
        })).ToArray();

        await Task.WhenAll(publishers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await allDelivered.Task.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(Total, delivered);
        Assert.Equal(0, queue.MessageCount);
        Assert.All(seen, count => Assert.Equal(1, count));
        Assert.All(consumers, c => Assert.InRange(c.Delivered, Total / 3 - 1, Total / 3 + 1));
    }
}
