namespace Warren.Amqp.Protocol;

// The methods of class channel (20), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>channel.open (20, 10).</summary>
public readonly record struct ChannelOpen : IAmqpMethod
{
    public const uint Id = (20u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteOctet(0); // reserved (out-of-band)
        return w.Position;
    }

    public static ChannelOpen ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.SkipShortString(); // reserved (out-of-band)
        return new ChannelOpen();
    }
}

/// <summary>channel.open-ok (20, 11).</summary>
public readonly record struct ChannelOpenOk : IAmqpMethod
{
    public const uint Id = (20u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 8;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLong(0); // reserved (channel-id)
        return w.Position;
    }

    public static ChannelOpenOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.SkipLongString(); // reserved (channel-id)
        return new ChannelOpenOk();
    }
}

/// <summary>channel.flow (20, 20).</summary>
public readonly record struct ChannelFlow(bool Active) : IAmqpMethod
{
    public const uint Id = (20u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteBits(Active);
        return w.Position;
    }

    public static ChannelFlow ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        byte bits = r.ReadBits();
        return new ChannelFlow(WireReader.IsSet(bits, 0));
    }
}

/// <summary>channel.flow-ok (20, 21).</summary>
public readonly record struct ChannelFlowOk(bool Active) : IAmqpMethod
{
    public const uint Id = (20u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteBits(Active);
        return w.Position;
    }

    public static ChannelFlowOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        byte bits = r.ReadBits();
        return new ChannelFlowOk(WireReader.IsSet(bits, 0));
    }
}

/// <summary>channel.close (20, 40).</summary>
public readonly record struct ChannelClose(ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodIndex) : IAmqpMethod
{
    /// <summary>The text, cut by bytes to fit a short string (a server text may quote names of up to 255 bytes).</summary>
    public string ReplyText { get; init; } = Warren.Broker.Text.ShortText.Fit(ReplyText);

    public const uint Id = (20u << 16) | 40;

    public uint MethodId => Id;

    public int GetSize() => 10 + WireWriter.ShortStringSize(ReplyText);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(ReplyCode);
        w.WriteShortString(ReplyText);
        w.WriteShort(ClassId);
        w.WriteShort(MethodIndex);
        return w.Position;
    }

    public static ChannelClose ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var replyCode = r.ReadShort();
        var replyText = r.ReadShortString();
        var classId = r.ReadShort();
        var methodIndex = r.ReadShort();
        return new ChannelClose(replyCode, replyText, classId, methodIndex);
    }

    /// <summary>A close naming the failing method by its id (class id high, method id low), 0 for none.</summary>
    public ChannelClose(ushort replyCode, string replyText, uint failingMethodId)
        : this(replyCode, replyText, AmqpMethodId.ClassId(failingMethodId), AmqpMethodId.MethodIndex(failingMethodId)) { }

    /// <summary>The id of the failing method (ClassId high, MethodIndex low).</summary>
    public uint FailingMethodId => ((uint)ClassId << 16) | MethodIndex;
}

/// <summary>channel.close-ok (20, 41).</summary>
public readonly record struct ChannelCloseOk : IAmqpMethod
{
    public const uint Id = (20u << 16) | 41;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ChannelCloseOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
