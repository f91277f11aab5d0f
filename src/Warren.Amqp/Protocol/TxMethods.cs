namespace Warren.Amqp.Protocol;

// The methods of class tx (90), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>tx.select (90, 10).</summary>
public readonly record struct TxSelect : IAmqpMethod
{
    public const uint Id = (90u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxSelect ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>tx.select-ok (90, 11).</summary>
public readonly record struct TxSelectOk : IAmqpMethod
{
    public const uint Id = (90u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxSelectOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>tx.commit (90, 20).</summary>
public readonly record struct TxCommit : IAmqpMethod
{
    public const uint Id = (90u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxCommit ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>tx.commit-ok (90, 21).</summary>
public readonly record struct TxCommitOk : IAmqpMethod
{
    public const uint Id = (90u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxCommitOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>tx.rollback (90, 30).</summary>
public readonly record struct TxRollback : IAmqpMethod
{
    public const uint Id = (90u << 16) | 30;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxRollback ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>tx.rollback-ok (90, 31).</summary>
public readonly record struct TxRollbackOk : IAmqpMethod
{
    public const uint Id = (90u << 16) | 31;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static TxRollbackOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
