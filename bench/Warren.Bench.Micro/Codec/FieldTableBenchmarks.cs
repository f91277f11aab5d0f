using BenchmarkDotNet.Attributes;
using Warren.Amqp.Protocol;

namespace Warren.Bench.Micro.Codec;

/// <summary>A typical message headers table (tracing ids, a retry count, a nested table).</summary>
[MemoryDiagnoser]
public class FieldTableBenchmarks
{
    private readonly Dictionary<string, object?> _table = new()
    {
        ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray(),
        ["x-retry-count"] = 3,
        ["x-first-death-time"] = 1_700_000_000_000L,
        ["redelivered-by-app"] = false,
        ["x-origin"] = new Dictionary<string, object?> { ["service"] = "billing"u8.ToArray(), ["version"] = 2 },
    };
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _encoded = new byte[FieldTable.GetSize(_table)];
        FieldTable.Write(_encoded, _table);
    }

    [Benchmark]
    public int Encode()
    {
        int size = FieldTable.GetSize(_table);
        return FieldTable.Write(_encoded.AsSpan(0, size), _table);
    }

    [Benchmark]
    public int Decode() => FieldTable.Read(_encoded, out int read)!.Count + read;
}
