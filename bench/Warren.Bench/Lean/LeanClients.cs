using System.Buffers.Binary;
using System.Diagnostics;
using Warren.Amqp.Protocol;
using Warren.Bench.Scenarios;
using Warren.Broker.Messages;

namespace Warren.Bench.Lean;

/// <summary>The lean producer and consumer of the flow scenarios (<c>--lean</c>).</summary>
internal static class LeanClients
{
    // Messages written per socket write: enough to amortise the system call, few enough that a
    // fixed rate stays smooth.
    private const int PublishBatch = 64;

    public static async Task PublishAsync(LeanConnection connection, string exchange, string routingKey, int size, double rate, FlowCounters counters, CancellationToken stop)
    {
        var publish = new BasicPublish(exchange, routingKey, Mandatory: false, Immediate: false);
        var properties = new MessageProperties { DeliveryMode = 1 };
        var body = new byte[size];
        long start = Stopwatch.GetTimestamp();
        long sent = 0;
        // Drain whatever the broker sends (nothing, unless it closes) so that errors surface.
        var reader = Task.Run(async () =>
        {
            while (await connection.ReceiveAsync(static (_, _) => { }, stop)) { }
        }, CancellationToken.None);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int batch = rate > 0 ? 1 : PublishBatch;
                await BenchAmqp.PaceAsync(rate, sent, start, stop);
                for (int i = 0; i < batch; i++)
                {
                    BenchAmqp.Stamp(body);
                    connection.WritePublish(publish, properties, body);
                }
                await connection.FlushAsync(stop);
                counters.AddPublished(batch);
                sent += batch;
                if (reader.IsCompleted) await reader;
            }
        }
        finally
        {
            await connection.DisposeAsync();
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>basic.consume with manual acks; a multiple ack every <paramref name="ackEvery"/> deliveries.</summary>
    public static async Task ConsumeAsync(LeanConnection connection, string queue, ushort prefetch, int ackEvery, int index, FlowCounters counters, CancellationToken stop)
    {
        connection.Write(LeanConnection.Channel, new BasicQos(0, prefetch, Global: false));
        connection.Write(LeanConnection.Channel, new BasicConsume(queue, $"lean-{index}", NoLocal: false, NoAck: false, Exclusive: false, NoWait: false));
        await connection.FlushAsync(stop);
        ulong lastTag = 0;
        int unacked = 0;
        LeanConnection.FrameHandler onFrame = (type, payload) =>
        {
            if (type == AmqpConstants.FrameMethod)
            {
                if (BinaryPrimitives.ReadUInt32BigEndian(payload) != BasicDeliver.Id) return;
                // basic.deliver: consumer-tag (shortstr), then delivery-tag (longlong).
                int tagLength = payload[4];
                lastTag = BinaryPrimitives.ReadUInt64BigEndian(payload[(5 + tagLength)..]);
            }
            else if (type == AmqpConstants.FrameBody)
            {
                counters.Delivered(index, BenchAmqp.ReadStamp(payload));
                if (++unacked >= ackEvery)
                {
                    unacked = 0;
                    connection.Write(LeanConnection.Channel, new BasicAck(lastTag, Multiple: true));
                }
            }
        };
        try
        {
            while (!stop.IsCancellationRequested)
            {
                // Every frame of a read is handled before the acks it produced go out in one write.
                if (!await connection.ReceiveAsync(onFrame, stop)) return;
                await connection.FlushAsync(stop);
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
