namespace Warren.Amqp.Protocol;

// The methods of class confirm (85), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>confirm.select (85, 10).</summary>
public readonly record struct ConfirmSelect(bool NoWait) : IAmqpMethod
{
    public const uint Id = (85u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteBits(NoWait);
        return w.Position;
    }

    public static ConfirmSelect ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        byte bits = r.ReadBits();
        return new ConfirmSelect(WireReader.IsSet(bits, 0));
    }
}

/// <summary>confirm.select-ok (85, 11).</summary>
public readonly record struct ConfirmSelectOk : IAmqpMethod
{
    public const uint Id = (85u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ConfirmSelectOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
