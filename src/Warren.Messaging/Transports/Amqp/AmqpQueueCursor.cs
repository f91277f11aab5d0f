using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Warren.Messaging.Transports.Amqp;

/// <summary>
/// basic.get without auto-ack on a channel of its own, so that its delivery tags and its final
/// nack concern nothing else. Closing that channel would give the messages back as well; the
/// explicit nack makes the requeue part of the conversation rather than a side effect of the close.
/// </summary>
/// <remarks>
/// Classic queues (RabbitMQ's and Warren's) put a requeued message back at its original position.
/// RabbitMQ's quorum queues put it at the tail, so on those a cursor that gives anything back
/// first takes every message after the last one it holds: the whole queue then goes round once,
/// in order, and comes back as it was.
/// </remarks>
internal sealed class AmqpQueueCursor : IQueueCursor
{
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly bool _requeuesAtTail;
    private readonly Dictionary<IncomingMessage, ulong> _held = new(ReferenceEqualityComparer.Instance);

    public AmqpQueueCursor(IChannel channel, string queue, bool requeuesAtTail)
    {
        _channel = channel;
        _queue = queue;
        _requeuesAtTail = requeuesAtTail;
    }

    public async Task<IncomingMessage?> TakeAsync(CancellationToken cancellationToken)
    {
        var result = await _channel.BasicGetAsync(_queue, autoAck: false, cancellationToken).ConfigureAwait(false);
        if (result is null) return null;
        var incoming = new IncomingMessage(AmqpTransport.FromProperties(result.BasicProperties, result.Body.ToArray()), _queue, result.Exchange, result.RoutingKey, result.Redelivered);
        _held.Add(incoming, result.DeliveryTag);
        return incoming;
    }

    public async Task AcknowledgeAsync(IncomingMessage message, CancellationToken cancellationToken)
    {
        if (!_held.Remove(message, out var tag)) throw new InvalidOperationException("The message was not taken by this cursor, or is acknowledged already.");
        await _channel.BasicAckAsync(tag, multiple: false, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // One nack for the lot: multiple=true up to the highest tag still held (an acknowledged
            // tag is unknown to the broker by now).
            if (_held.Count > 0)
            {
                var last = _held.Values.Max();
                if (_requeuesAtTail)
                {
                    while (await _channel.BasicGetAsync(_queue, autoAck: false).ConfigureAwait(false) is { } rest) last = rest.DeliveryTag;
                }
                await _channel.BasicNackAsync(last, multiple: true, requeue: true).ConfigureAwait(false);
            }
            _held.Clear();
            await _channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The channel or its connection is gone: the broker has requeued what it held.
        }
        _channel.Dispose();
    }
}
