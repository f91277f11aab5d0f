namespace Warren.Amqp.Protocol;

// The methods of class exchange (40), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>exchange.declare (40, 10).</summary>
public readonly record struct ExchangeDeclare(string Exchange, string Type, bool Passive, bool Durable, bool AutoDelete, bool Internal, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (40u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(Type) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Exchange);
        w.WriteShortString(Type);
        w.WriteBits(Passive, Durable, AutoDelete, Internal, NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static ExchangeDeclare ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var exchange = r.ReadShortString();
        var @type = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new ExchangeDeclare(exchange, @type, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1), WireReader.IsSet(bits, 2), WireReader.IsSet(bits, 3), WireReader.IsSet(bits, 4), table);
    }
}

/// <summary>exchange.declare-ok (40, 11).</summary>
public readonly record struct ExchangeDeclareOk : IAmqpMethod
{
    public const uint Id = (40u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ExchangeDeclareOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>exchange.delete (40, 20).</summary>
public readonly record struct ExchangeDelete(string Exchange, bool IfUnused, bool NoWait) : IAmqpMethod
{
    public const uint Id = (40u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Exchange);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Exchange);
        w.WriteBits(IfUnused, NoWait);
        return w.Position;
    }

    public static ExchangeDelete ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var exchange = r.ReadShortString();
        byte bits = r.ReadBits();
        return new ExchangeDelete(exchange, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1));
    }
}

/// <summary>exchange.delete-ok (40, 21).</summary>
public readonly record struct ExchangeDeleteOk : IAmqpMethod
{
    public const uint Id = (40u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ExchangeDeleteOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>exchange.bind (40, 30).</summary>
public readonly record struct ExchangeBind(string Destination, string Source, string RoutingKey, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (40u << 16) | 30;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Destination) + WireWriter.ShortStringSize(Source) + WireWriter.ShortStringSize(RoutingKey) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Destination);
        w.WriteShortString(Source);
        w.WriteShortString(RoutingKey);
        w.WriteBits(NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static ExchangeBind ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var destination = r.ReadShortString();
        var source = r.ReadShortString();
        var routingKey = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new ExchangeBind(destination, source, routingKey, WireReader.IsSet(bits, 0), table);
    }
}

/// <summary>exchange.bind-ok (40, 31).</summary>
public readonly record struct ExchangeBindOk : IAmqpMethod
{
    public const uint Id = (40u << 16) | 31;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ExchangeBindOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>exchange.unbind (40, 40).</summary>
public readonly record struct ExchangeUnbind(string Destination, string Source, string RoutingKey, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (40u << 16) | 40;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Destination) + WireWriter.ShortStringSize(Source) + WireWriter.ShortStringSize(RoutingKey) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Destination);
        w.WriteShortString(Source);
        w.WriteShortString(RoutingKey);
        w.WriteBits(NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static ExchangeUnbind ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var destination = r.ReadShortString();
        var source = r.ReadShortString();
        var routingKey = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new ExchangeUnbind(destination, source, routingKey, WireReader.IsSet(bits, 0), table);
    }
}

/// <summary>exchange.unbind-ok (40, 51).</summary>
public readonly record struct ExchangeUnbindOk : IAmqpMethod
{
    public const uint Id = (40u << 16) | 51;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static ExchangeUnbindOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
