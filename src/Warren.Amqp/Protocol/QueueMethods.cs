namespace Warren.Amqp.Protocol;

// The methods of class queue (50), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>queue.declare (50, 10).</summary>
public readonly record struct QueueDeclare(string Queue, bool Passive, bool Durable, bool Exclusive, bool AutoDelete, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteBits(Passive, Durable, Exclusive, AutoDelete, NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static QueueDeclare ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new QueueDeclare(queue, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1), WireReader.IsSet(bits, 2), WireReader.IsSet(bits, 3), WireReader.IsSet(bits, 4), table);
    }
}

/// <summary>queue.declare-ok (50, 11).</summary>
public readonly record struct QueueDeclareOk(string Queue, uint MessageCount, uint ConsumerCount) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 12 + WireWriter.ShortStringSize(Queue);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(Queue);
        w.WriteLong(MessageCount);
        w.WriteLong(ConsumerCount);
        return w.Position;
    }

    public static QueueDeclareOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var queue = r.ReadShortString();
        var messageCount = r.ReadLong();
        var consumerCount = r.ReadLong();
        return new QueueDeclareOk(queue, messageCount, consumerCount);
    }
}

/// <summary>queue.bind (50, 20).</summary>
public readonly record struct QueueBind(string Queue, string Exchange, string RoutingKey, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue) + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        w.WriteBits(NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static QueueBind ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        var exchange = r.ReadShortString();
        var routingKey = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new QueueBind(queue, exchange, routingKey, WireReader.IsSet(bits, 0), table);
    }
}

/// <summary>queue.bind-ok (50, 21).</summary>
public readonly record struct QueueBindOk : IAmqpMethod
{
    public const uint Id = (50u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static QueueBindOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>queue.purge (50, 30).</summary>
public readonly record struct QueuePurge(string Queue, bool NoWait) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 30;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteBits(NoWait);
        return w.Position;
    }

    public static QueuePurge ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        byte bits = r.ReadBits();
        return new QueuePurge(queue, WireReader.IsSet(bits, 0));
    }
}

/// <summary>queue.purge-ok (50, 31).</summary>
public readonly record struct QueuePurgeOk(uint MessageCount) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 31;

    public uint MethodId => Id;

    public int GetSize() => 8;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLong(MessageCount);
        return w.Position;
    }

    public static QueuePurgeOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var messageCount = r.ReadLong();
        return new QueuePurgeOk(messageCount);
    }
}

/// <summary>queue.delete (50, 40).</summary>
public readonly record struct QueueDelete(string Queue, bool IfUnused, bool IfEmpty, bool NoWait) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 40;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteBits(IfUnused, IfEmpty, NoWait);
        return w.Position;
    }

    public static QueueDelete ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        byte bits = r.ReadBits();
        return new QueueDelete(queue, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1), WireReader.IsSet(bits, 2));
    }
}

/// <summary>queue.delete-ok (50, 41).</summary>
public readonly record struct QueueDeleteOk(uint MessageCount) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 41;

    public uint MethodId => Id;

    public int GetSize() => 8;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLong(MessageCount);
        return w.Position;
    }

    public static QueueDeleteOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var messageCount = r.ReadLong();
        return new QueueDeleteOk(messageCount);
    }
}

/// <summary>queue.unbind (50, 50).</summary>
public readonly record struct QueueUnbind(string Queue, string Exchange, string RoutingKey, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (50u << 16) | 50;

    public uint MethodId => Id;

    public int GetSize() => 6 + WireWriter.ShortStringSize(Queue) + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static QueueUnbind ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        var exchange = r.ReadShortString();
        var routingKey = r.ReadShortString();
        var table = r.ReadTable();
        return new QueueUnbind(queue, exchange, routingKey, table);
    }
}

/// <summary>queue.unbind-ok (50, 51).</summary>
public readonly record struct QueueUnbindOk : IAmqpMethod
{
    public const uint Id = (50u << 16) | 51;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static QueueUnbindOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}
