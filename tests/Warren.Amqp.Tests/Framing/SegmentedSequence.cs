using System.Buffers;

namespace Warren.Amqp.Tests.Framing;

/// <summary>Builds a ReadOnlySequence of several segments, as a pipe hands them out.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Join(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            var next = new Segment(part, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Every byte its own segment.</summary>
    public static ReadOnlySequence<byte> Bytewise(byte[] bytes) => Join(bytes.Select(b => new[] { b }).ToArray());
}
