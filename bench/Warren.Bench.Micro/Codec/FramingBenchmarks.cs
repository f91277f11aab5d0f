using System.Buffers;
using BenchmarkDotNet.Attributes;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Bench.Micro.Codec;

/// <summary>Frames on the hot path: a published message is three frames (method, header, body).</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int Messages = 1000;
    private const int FramesPerMessage = 3;
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private readonly byte[] _body = new byte[64];
    private readonly MessageProperties _properties = new() { DeliveryMode = 1, ContentType = "application/json" };
    private ReadOnlySequence<byte> _input;

    [GlobalSetup]
    public void Setup()
    {
        var writer = new ArrayBufferWriter<byte>();
        for (int i = 0; i < Messages; i++)
        {
            FrameWriter.WriteMethodFrame(writer, 1, new BasicPublish("", "orders", Mandatory: false, Immediate: false));
            FrameWriter.WriteContentHeaderFrame(writer, 1, (ulong)_body.Length, _properties);
            FrameWriter.WriteBodyFrames(writer, 1, _body, 131072);
        }
        _input = new ReadOnlySequence<byte>(writer.WrittenMemory);
    }

    /// <summary>Cuts every frame off a read buffer that holds 1,000 published messages; per frame.</summary>
    [Benchmark(OperationsPerInvoke = Messages * FramesPerMessage)]
    public int ParseFrames()
    {
        var buffer = _input;
        int count = 0;
        while (FrameParser.TryReadFrame(ref buffer, 131072, out var frame))
        {
            count += frame.Type;
        }
        return count;
    }

    /// <summary>Writes one delivery (basic.deliver, content header, 64-byte body); per message.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public int WriteDeliveries()
    {
        _output.ResetWrittenCount();
        for (int i = 0; i < Messages; i++)
        {
            if (_output.FreeCapacity < 512) _output.ResetWrittenCount();
            FrameWriter.WriteMethodFrame(_output, 1, new BasicDeliver("amq.ctag-bench", (ulong)i + 1, Redelivered: false, "", "orders"));
            FrameWriter.WriteContentHeaderFrame(_output, 1, (ulong)_body.Length, _properties);
            FrameWriter.WriteBodyFrames(_output, 1, _body, 131072);
        }
        return _output.WrittenCount;
    }
}
