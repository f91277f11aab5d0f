namespace Warren.Amqp.Protocol;

/// <summary>
/// An AMQP method: knows its id, its encoded size and how to write itself. Each method type also
/// has a static <c>ReadFrom(ReadOnlySpan&lt;byte&gt; arguments)</c> reading the bytes after the
/// 4 id bytes.
/// </summary>
public interface IAmqpMethod
{
    /// <summary>Class id in the high 16 bits, method id in the low 16 bits.</summary>
    uint MethodId { get; }

    /// <summary>Bytes of the method frame payload: the 4 id bytes and the arguments.</summary>
    int GetSize();

    /// <summary>Writes class id, method id and arguments; returns the bytes written (= <see cref="GetSize"/>).</summary>
    int WriteTo(Span<byte> destination);
}
