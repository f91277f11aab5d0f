using BenchmarkDotNet.Attributes;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;

namespace Warren.Bench.Micro.Queues;

/// <summary>Publish through the default exchange into a queue, then take it out (basic.get, no-ack).</summary>
[MemoryDiagnoser]
public class QueueBenchmarks
{
    private const int Batch = 1000;
    private VirtualHost _vhost = null!;
    private Queue _queue = null!;
    private Message _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _vhost = new VirtualHost("/");
        _queue = _vhost.DeclareQueue("bench", new QueueSettings(Durable: false, Exclusive: false, AutoDelete: false, Arguments: null), passive: false, connection: null).Queue;
        _message = new Message("", "bench", MessageProperties.Empty, new byte[64]);
    }

    /// <summary>1,000 publishes then 1,000 gets; per message.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long EnqueueDequeue()
    {
        for (int i = 0; i < Batch; i++) _vhost.Publish("", _message);
        long sum = 0;
        while (_queue.TryGet(noAck: true, out var entry, out _)) sum += entry.Sequence;
        return sum;
    }
}
