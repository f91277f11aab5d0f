using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Queues;

namespace Warren.Amqp.Channels;

/// <summary>RabbitMQ's direct reply-to names.</summary>
internal static class DirectReplyTo
{
    /// <summary>The pseudo-queue a requester consumes from (no-ack) and names in reply_to.</summary>
    public const string PseudoQueue = "amq.rabbitmq.reply-to";

    /// <summary>The prefix of the per-channel address a responder publishes to through the default exchange.</summary>
    public const string AddressPrefix = PseudoQueue + ".";
}

// Direct reply-to: consuming from amq.rabbitmq.reply-to gives the channel a private address;
// reply_to=amq.rabbitmq.reply-to on its publishes is rewritten to that address, and replies
// published to it through the default exchange come straight back to the consumer. Warren backs
// the address with a hidden exclusive, auto-delete queue owned by the connection.
internal sealed partial class AmqpChannel
{
    private string? _replyAddress;

    private Queue OpenDirectReplyQueue(BasicConsume consume)
    {
        if (!consume.NoAck)
        {
            throw AmqpException.Channel(ReplyCode.PreconditionFailed, "reply consumer cannot acknowledge", BasicConsume.Id);
        }
        if (_replyAddress is not null)
        {
            throw AmqpException.Channel(ReplyCode.PreconditionFailed, "reply consumer already set", BasicConsume.Id);
        }
        var address = Broker.VirtualHosts.VirtualHost.GenerateName(DirectReplyTo.AddressPrefix);
        var queue = VirtualHost.DeclareInternalQueue(address, Owner);
        _connection.TrackExclusiveQueue(queue);
        _replyAddress = address;
        return queue;
    }

    private string ReplyToAddress() =>
        _replyAddress ?? throw AmqpException.Channel(ReplyCode.PreconditionFailed, "fast reply consumer does not exist", BasicPublish.Id);
}
