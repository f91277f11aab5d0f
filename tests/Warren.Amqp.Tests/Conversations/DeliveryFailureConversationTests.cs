using System.Text;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Amqp.Tests.Conversations;

/// <summary>A delivery that cannot be encoded for one consumer (issue 10, defects 2 and 11).</summary>
public sealed class DeliveryFailureConversationTests
{
    [Fact]
    public async Task A_message_one_consumer_cannot_be_sent_closes_that_consumers_connection_and_not_the_publishers()
    {
        var broker = new Broker.Broker();
        await using var consumer = new PipeClient(broker);
        await consumer.OpenAsync();
        await consumer.OpenChannelAsync(1);
        await consumer.SendAsync(1, new QueueDeclare("q", false, false, false, false, false));
        await consumer.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
        await consumer.SendAsync(1, new BasicConsume("q", "c1", false, NoAck: false, false, false));
        await consumer.ExpectAsync(1, BasicConsumeOk.Id, BasicConsumeOk.ReadFrom);
        Assert.True(broker.TryGetVirtualHost("/", out var vhost));

        // An embedded publisher's header of a type AMQP cannot carry: the delivery throws while encoding.
        var bad = new Message("", "q", new MessageProperties { Headers = new() { ["id"] = Guid.NewGuid() } }, [1]);
        var result = vhost.Publish("", bad);

        Assert.Equal(1, result.QueueCount);
        var close = await consumer.ExpectConnectionCloseAsync();
        Assert.Equal(ReplyCode.InternalError, close.ReplyCode);

        // Another connection publishes and reads on, untouched; the message that failed is still there, once.
        await using var publisher = new PipeClient(broker);
        await publisher.OpenAsync();
        await publisher.OpenChannelAsync(1);
        await publisher.PublishAsync(1, "", "q", Encoding.UTF8.GetBytes("fine"));
        await publisher.SendAsync(1, new QueueDeclare("q", Passive: true, false, false, false, false));
        var declared = await publisher.ExpectAsync(1, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
        Assert.Equal(2u, declared.MessageCount);
    }
}
