using RabbitMQ.Client;

namespace Warren.Bench.Scenarios;

/// <summary>
/// Counts deliveries and their latency, and acknowledges with multiple acks every
/// <paramref name="ackEvery"/> messages (half the prefetch, as PerfTest's multi-ack does).
/// </summary>
internal sealed class BenchConsumer(IChannel channel, FlowCounters counters, int index, int ackEvery, bool autoAck)
    : AsyncDefaultBasicConsumer(channel)
{
    private int _unacked;

    public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
        string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        counters.Delivered(index, BenchAmqp.ReadStamp(body.Span));
        if (autoAck) return;
        if (++_unacked >= ackEvery)
        {
            _unacked = 0;
            await Channel.BasicAckAsync(deliveryTag, multiple: true, cancellationToken);
        }
    }
}
