using Warren.Broker.Consumers;
using Warren.Broker.Queues;
using Warren.Broker.Tests.Model;
using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Queues;

/// <summary>A consumer whose delivery throws must not break whoever triggered the dispatch (issue 10, defect 11).</summary>
public sealed class FailingConsumerTests
{
    private sealed class ThrowingConsumer(string tag) : Consumer(tag, noAck: false, exclusive: false)
    {
        public Exception? Failure;

        protected internal override bool TryDeliver(in QueueEntry entry) => throw new InvalidOperationException("cannot encode");

        protected internal override void OnDeliveryFailed(Exception error) => Failure = error;

        protected internal override void OnCancelledByBroker()
        {
        }
    }

    [Fact]
    public void A_publish_that_dispatches_to_a_throwing_consumer_succeeds_and_the_message_goes_to_another_consumer()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        var bad = new ThrowingConsumer("bad");
        var good = new RecordingConsumer("good", noAck: true);
        queue.AddConsumer(bad);
        queue.AddConsumer(good);

        for (var i = 0; i < 3; i++) Assert.Equal(1, vhost.Publish("", Message($"m{i}", "q")).QueueCount);

        Assert.IsType<InvalidOperationException>(bad.Failure);
        Assert.Equal(["m0", "m1", "m2"], good.Bodies);
        Assert.Equal(1, queue.ConsumerCount);
    }

    [Fact]
    public void A_message_that_no_consumer_can_take_stays_in_the_queue_once()
    {
        var vhost = NewVirtualHost();
        var queue = vhost.DeclareQueue("q");
        queue.AddConsumer(new ThrowingConsumer("bad"));

        vhost.Publish("", Message("kept", "q"));

        Assert.Equal(0, queue.ConsumerCount);
        Assert.Equal(["kept"], queue.Drain());
    }
}
