using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>Counts per consumer and end-to-end latency, shared by producers and consumers.</summary>
internal sealed class FlowCounters(int consumers)
{
    // One cache line (8 longs) per consumer: consumers on different threads never share one.
    private const int Stride = 8;
    private readonly long[] _delivered = new long[consumers * Stride];
    private long _published;
    private volatile bool _recording;

    public LatencyHistogram Latency { get; } = new();

    public int Consumers => consumers;

    public long Published => Interlocked.Read(ref _published);

    public void AddPublished(long count = 1) => Interlocked.Add(ref _published, count);

    public void Delivered(int consumer, long sentTimestamp)
    {
        Interlocked.Increment(ref _delivered[consumer * Stride]);
        if (_recording && sentTimestamp != 0) Latency.RecordSince(sentTimestamp);
    }

    public long DeliveredBy(int consumer) => Interlocked.Read(ref _delivered[consumer * Stride]);

    public long DeliveredTotal()
    {
        long total = 0;
        for (int i = 0; i < consumers; i++) total += DeliveredBy(i);
        return total;
    }

    public long[] Snapshot()
    {
        var counts = new long[consumers];
        for (int i = 0; i < consumers; i++) counts[i] = DeliveredBy(i);
        return counts;
    }

    /// <summary>Starts recording latency afresh (the end of the warm-up).</summary>
    public void StartRecording()
    {
        Latency.Reset();
        _recording = true;
    }

    public void StopRecording() => _recording = false;
}
