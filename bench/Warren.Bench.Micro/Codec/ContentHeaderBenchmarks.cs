using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Warren.Amqp.Framing;
using Warren.Amqp.Protocol;
using Warren.Broker.Messages;

namespace Warren.Bench.Micro.Codec;

/// <summary>
/// The content header of a message as Warren.Messaging sends one (seven properties and three
/// string headers): read once per publish, written once per delivery.
/// </summary>
[MemoryDiagnoser]
public class ContentHeaderBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(64 * 1024);
    private byte[] _payload = [];
    private MessageProperties _received = new();

    [GlobalSetup]
    public void Setup()
    {
        var id = Guid.NewGuid().ToString();
        var properties = new MessageProperties
        {
            ContentType = "application/json",
            DeliveryMode = 2,
            MessageId = id,
            CorrelationId = id,
            Type = "bench.library.event",
            AppId = "library-0123456789",
            Timestamp = 1_790_000_000,
            Headers = new Dictionary<string, object?>
            {
                ["warren-intent"] = Encoding.UTF8.GetBytes("event"),
                ["warren-conversation-id"] = Encoding.UTF8.GetBytes(id),
                ["warren-sent-time"] = Encoding.UTF8.GetBytes("2026-11-27T01:02:03.4567890+00:00"),
            },
        };
        _payload = new byte[ContentHeader.GetSize(properties)];
        ContentHeader.Write(_payload, AmqpClassId.Basic, 64, properties);
        _received = ContentHeader.Read(_payload).Properties;
    }

    /// <summary>Decodes the header of one published message.</summary>
    [Benchmark]
    public MessageProperties Read() => ContentHeader.Read(_payload).Properties;

    /// <summary>Writes the header frame of one delivery of a received message.</summary>
    [Benchmark]
    public int WriteReceived()
    {
        _output.ResetWrittenCount();
        FrameWriter.WriteContentHeaderFrame(_output, 1, 64, _received);
        return _output.WrittenCount;
    }
}
