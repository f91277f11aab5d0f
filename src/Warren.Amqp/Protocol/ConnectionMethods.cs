namespace Warren.Amqp.Protocol;

// The methods of class connection (10), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>connection.start (10, 10).</summary>
public readonly record struct ConnectionStart(byte VersionMajor, byte VersionMinor, Dictionary<string, object?>? ServerProperties, string Mechanisms, string Locales) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 6 + FieldTable.GetSize(ServerProperties) + WireWriter.LongStringSize(Mechanisms) + WireWriter.LongStringSize(Locales);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteOctet(VersionMajor);
        w.WriteOctet(VersionMinor);
        w.WriteTable(ServerProperties);
        w.WriteLongString(Mechanisms);
        w.WriteLongString(Locales);
        return w.Position;
    }

    public static ConnectionStart ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var versionMajor = r.ReadOctet();
        var versionMinor = r.ReadOctet();
        var serverProperties = r.ReadTable();
        var mechanisms = r.ReadLongStringAsString();
        var locales = r.ReadLongStringAsString();
        return new ConnectionStart(versionMajor, versionMinor, serverProperties, mechanisms, locales);
    }
}

/// <summary>connection.start-ok (10, 11).</summary>
public readonly record struct ConnectionStartOk(Dictionary<string, object?>? ClientProperties, string Mechanism, byte[] Response, string Locale) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 4 + FieldTable.GetSize(ClientProperties) + WireWriter.ShortStringSize(Mechanism) + WireWriter.LongStringSize(Response) + WireWriter.ShortStringSize(Locale);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteTable(ClientProperties);
        w.WriteShortString(Mechanism);
        w.WriteLongString(Response);
        w.WriteShortString(Locale);
        return w.Position;
    }

    public static ConnectionStartOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var clientProperties = r.ReadTable();
        var mechanism = r.ReadShortString();
        var response = r.ReadLongStringBytes();
        var locale = r.ReadShortString();
        return new ConnectionStartOk(clientProperties, mechanism, response, locale);
    }
}

/// <summary>connection.secure (10, 20).</summary>
public readonly record struct ConnectionSecure(byte[] Challenge) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.LongStringSize(Challenge);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongString(Challenge);
        return w.Position;
    }

    public static ConnectionSecure ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var challenge = r.ReadLongStringBytes();
        return new ConnectionSecure(challenge);
    }
}

/// <summary>connection.secure-ok (10, 21).</summary>
public readonly record struct ConnectionSecureOk(byte[] Response) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.LongStringSize(Response);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongString(Response);
        return w.Position;
    }

    public static ConnectionSecureOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var response = r.ReadLongStringBytes();
        return new ConnectionSecureOk(response);
    }
}

/// <summary>connection.tune (10, 30).</summary>
public readonly record struct ConnectionTune(ushort ChannelMax, uint FrameMax, ushort Heartbeat) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 30;

    public uint MethodId => Id;

    public int GetSize() => 12;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(ChannelMax);
        w.WriteLong(FrameMax);
        w.WriteShort(Heartbeat);
        return w.Position;
    }

    public static ConnectionTune ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var channelMax = r.ReadShort();
        var frameMax = r.ReadLong();
        var heartbeat = r.ReadShort();
        return new ConnectionTune(channelMax, frameMax, heartbeat);
    }
}

/// <summary>connection.tune-ok (10, 31).</summary>
public readonly record struct ConnectionTuneOk(ushort ChannelMax, uint FrameMax, ushort Heartbeat) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 31;

    public uint MethodId => Id;

    public int GetSize() => 12;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(ChannelMax);
        w.WriteLong(FrameMax);
        w.WriteShort(Heartbeat);
        return w.Position;
    }

    public static ConnectionTuneOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var channelMax = r.ReadShort();
        var frameMax = r.ReadLong();
        var heartbeat = r.ReadShort();
        return new ConnectionTuneOk(channelMax, frameMax, heartbeat);
    }
}

/// <summary>connection.open (10, 40).</summary>
public readonly record struct ConnectionOpen(string VirtualHost) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 40;

    public uint MethodId => Id;

    public int GetSize() => 6 + WireWriter.ShortStringSize(VirtualHost);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(VirtualHost);
        w.WriteOctet(0); // reserved (capabilities)
        w.WriteBits(false);
        return w.Position;
    }

    public static ConnectionOpen ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var virtualHost = r.ReadShortString();
        r.SkipShortString(); // reserved (capabilities)
        r.ReadBits(); // reserved (insist)
        return new ConnectionOpen(virtualHost);
    }
}

/// <summary>connection.open-ok (10, 41).</summary>
public readonly record struct ConnectionOpenOk : IAmqpMethod
{
    public const uint Id = (10u << 16) | 41;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteOctet(0); // reserved (known-hosts)
        return w.Position;
    }

    public static ConnectionOpenOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.SkipShortString(); // reserved (known-hosts)
        return new ConnectionOpenOk();
    }
}

/// <summary>connection.close (10, 50).</summary>
public readonly record struct ConnectionClose(ushort ReplyCode, string ReplyText, ushort ClassId, ushort MethodIndex) : IAmqpMethod
{
    /// <summary>The text, cut by bytes to fit a short string (a server text may quote names of up to 255 bytes).</summary>
    public string ReplyText { get; init; } = Warren.Broker.Text.ShortText.Fit(ReplyText);

    public const uint Id = (10u << 16) | 50;

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

    public static ConnectionClose ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var replyCode = r.ReadShort();
        var replyText = r.ReadShortString();
        var classId = r.ReadShort();
        var methodIndex = r.ReadShort();
        return new ConnectionClose(replyCode, replyText, classId, methodIndex);
    }

    /// <summary>A close naming the failing method by its id (class id high, method id low), 0 for none.</summary>
    public ConnectionClose(ushort replyCode, string replyText, uint failingMethodId)
        : this(replyCode, replyText, AmqpMethodId.ClassId(failingMethodId), AmqpMethodId.MethodIndex(failingMethodId)) { }

    /// <summary>The id of the failing method (ClassId high, MethodIndex low).</summary>
    public uint FailingMethodId => ((uint)ClassId << 16) | MethodIndex;
}

/// <summary>connection.close-ok (10, 51).</summary>
public readonly record struct ConnectionCloseOk : IAmqpMethod
{
    public const uint Id = (10u << 16) | 51;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ConnectionCloseOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>connection.blocked (10, 60).</summary>
public readonly record struct ConnectionBlocked(string Reason) : IAmqpMethod
{
    /// <summary>The text, cut by bytes to fit a short string (a server text may quote names of up to 255 bytes).</summary>
    public string Reason { get; init; } = Warren.Broker.Text.ShortText.Fit(Reason);

    public const uint Id = (10u << 16) | 60;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.ShortStringSize(Reason);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(Reason);
        return w.Position;
    }

    public static ConnectionBlocked ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var reason = r.ReadShortString();
        return new ConnectionBlocked(reason);
    }
}

/// <summary>connection.unblocked (10, 61).</summary>
public readonly record struct ConnectionUnblocked : IAmqpMethod
{
    public const uint Id = (10u << 16) | 61;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ConnectionUnblocked ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>connection.update-secret (10, 70).</summary>
public readonly record struct ConnectionUpdateSecret(byte[] NewSecret, string Reason) : IAmqpMethod
{
    public const uint Id = (10u << 16) | 70;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.LongStringSize(NewSecret) + WireWriter.ShortStringSize(Reason);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongString(NewSecret);
        w.WriteShortString(Reason);
        return w.Position;
    }

    public static ConnectionUpdateSecret ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var newSecret = r.ReadLongStringBytes();
        var reason = r.ReadShortString();
        return new ConnectionUpdateSecret(newSecret, reason);
    }
}

/// <summary>connection.update-secret-ok (10, 71).</summary>
public readonly record struct ConnectionUpdateSecretOk : IAmqpMethod
{
    public const uint Id = (10u << 16) | 71;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ConnectionUpdateSecretOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
