namespace Warren.Amqp.Protocol;

// The methods of class basic (60), one struct each: written by hand from the spec
// (../shared/spec/amqp0-9-1.json). Reserved arguments (ticket, reserved-1, ...) are not
// members: they are written as zeros and skipped on read.

/// <summary>basic.qos (60, 10).</summary>
public readonly record struct BasicQos(uint PrefetchSize, ushort PrefetchCount, bool Global) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 10;

    public uint MethodId => Id;

    public int GetSize() => 11;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLong(PrefetchSize);
        w.WriteShort(PrefetchCount);
        w.WriteBits(Global);
        return w.Position;
    }

    public static BasicQos ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var prefetchSize = r.ReadLong();
        var prefetchCount = r.ReadShort();
        byte bits = r.ReadBits();
        return new BasicQos(prefetchSize, prefetchCount, WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.qos-ok (60, 11).</summary>
public readonly record struct BasicQosOk : IAmqpMethod
{
    public const uint Id = (60u << 16) | 11;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static BasicQosOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>basic.consume (60, 20).</summary>
public readonly record struct BasicConsume(string Queue, string ConsumerTag, bool NoLocal, bool NoAck, bool Exclusive, bool NoWait, Dictionary<string, object?>? Arguments = null) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 20;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue) + WireWriter.ShortStringSize(ConsumerTag) + FieldTable.GetSize(Arguments);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteShortString(ConsumerTag);
        w.WriteBits(NoLocal, NoAck, Exclusive, NoWait);
        w.WriteTable(Arguments);
        return w.Position;
    }

    public static BasicConsume ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        var consumerTag = r.ReadShortString();
        byte bits = r.ReadBits();
        var table = r.ReadTable();
        return new BasicConsume(queue, consumerTag, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1), WireReader.IsSet(bits, 2), WireReader.IsSet(bits, 3), table);
    }
}

/// <summary>basic.consume-ok (60, 21).</summary>
public readonly record struct BasicConsumeOk(string ConsumerTag) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 21;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.ShortStringSize(ConsumerTag);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(ConsumerTag);
        return w.Position;
    }

    public static BasicConsumeOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var consumerTag = r.ReadShortString();
        return new BasicConsumeOk(consumerTag);
    }
}

/// <summary>basic.cancel (60, 30).</summary>
public readonly record struct BasicCancel(string ConsumerTag, bool NoWait) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 30;

    public uint MethodId => Id;

    public int GetSize() => 5 + WireWriter.ShortStringSize(ConsumerTag);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(ConsumerTag);
        w.WriteBits(NoWait);
        return w.Position;
    }

    public static BasicCancel ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var consumerTag = r.ReadShortString();
        byte bits = r.ReadBits();
        return new BasicCancel(consumerTag, WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.cancel-ok (60, 31).</summary>
public readonly record struct BasicCancelOk(string ConsumerTag) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 31;

    public uint MethodId => Id;

    public int GetSize() => 4 + WireWriter.ShortStringSize(ConsumerTag);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(ConsumerTag);
        return w.Position;
    }

    public static BasicCancelOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var consumerTag = r.ReadShortString();
        return new BasicCancelOk(consumerTag);
    }
}

/// <summary>basic.publish (60, 40).</summary>
public readonly record struct BasicPublish(string Exchange, string RoutingKey, bool Mandatory, bool Immediate) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 40;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        w.WriteBits(Mandatory, Immediate);
        return w.Position;
    }

    public static BasicPublish ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        // RabbitMQ 3.10 decodes basic.publish without checking UTF-8: the key is routed as sent.
        var exchange = r.ReadOpaqueShortString();
        var routingKey = r.ReadOpaqueShortString();
        byte bits = r.ReadBits();
        return new BasicPublish(exchange, routingKey, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1));
    }
}

/// <summary>basic.return (60, 50).</summary>
public readonly record struct BasicReturn(ushort ReplyCode, string ReplyText, string Exchange, string RoutingKey) : IAmqpMethod
{
    /// <summary>The text, cut by bytes to fit a short string (a server text may quote names of up to 255 bytes).</summary>
    public string ReplyText { get; init; } = Warren.Broker.Text.ShortText.Fit(ReplyText);

    public const uint Id = (60u << 16) | 50;

    public uint MethodId => Id;

    public int GetSize() => 6 + WireWriter.ShortStringSize(ReplyText) + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(ReplyCode);
        w.WriteShortString(ReplyText);
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        return w.Position;
    }

    public static BasicReturn ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var replyCode = r.ReadShort();
        var replyText = r.ReadShortString();
        var exchange = r.ReadOpaqueShortString();
        var routingKey = r.ReadOpaqueShortString();
        return new BasicReturn(replyCode, replyText, exchange, routingKey);
    }
}

/// <summary>basic.deliver (60, 60).</summary>
public readonly record struct BasicDeliver(string ConsumerTag, ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 60;

    public uint MethodId => Id;

    public int GetSize() => 13 + WireWriter.ShortStringSize(ConsumerTag) + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShortString(ConsumerTag);
        w.WriteLongLong(DeliveryTag);
        w.WriteBits(Redelivered);
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        return w.Position;
    }

    public static BasicDeliver ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var consumerTag = r.ReadShortString();
        var deliveryTag = r.ReadLongLong();
        byte bits = r.ReadBits();
        var exchange = r.ReadOpaqueShortString();
        var routingKey = r.ReadOpaqueShortString();
        return new BasicDeliver(consumerTag, deliveryTag, WireReader.IsSet(bits, 0), exchange, routingKey);
    }
}

/// <summary>basic.get (60, 70).</summary>
public readonly record struct BasicGet(string Queue, bool NoAck) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 70;

    public uint MethodId => Id;

    public int GetSize() => 7 + WireWriter.ShortStringSize(Queue);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteShort(0); // reserved (ticket)
        w.WriteShortString(Queue);
        w.WriteBits(NoAck);
        return w.Position;
    }

    public static BasicGet ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.ReadShort(); // reserved (ticket)
        var queue = r.ReadShortString();
        byte bits = r.ReadBits();
        return new BasicGet(queue, WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.get-ok (60, 71).</summary>
public readonly record struct BasicGetOk(ulong DeliveryTag, bool Redelivered, string Exchange, string RoutingKey, uint MessageCount) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 71;

    public uint MethodId => Id;

    public int GetSize() => 17 + WireWriter.ShortStringSize(Exchange) + WireWriter.ShortStringSize(RoutingKey);

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongLong(DeliveryTag);
        w.WriteBits(Redelivered);
        w.WriteShortString(Exchange);
        w.WriteShortString(RoutingKey);
        w.WriteLong(MessageCount);
        return w.Position;
    }

    public static BasicGetOk ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var deliveryTag = r.ReadLongLong();
        byte bits = r.ReadBits();
        var exchange = r.ReadOpaqueShortString();
        var routingKey = r.ReadOpaqueShortString();
        var messageCount = r.ReadLong();
        return new BasicGetOk(deliveryTag, WireReader.IsSet(bits, 0), exchange, routingKey, messageCount);
    }
}

/// <summary>basic.get-empty (60, 72).</summary>
public readonly record struct BasicGetEmpty : IAmqpMethod
{
    public const uint Id = (60u << 16) | 72;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteOctet(0); // reserved (cluster-id)
        return w.Position;
    }

    public static BasicGetEmpty ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        r.SkipShortString(); // reserved (cluster-id)
        return new BasicGetEmpty();
    }
}

/// <summary>basic.ack (60, 80).</summary>
public readonly record struct BasicAck(ulong DeliveryTag, bool Multiple) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 80;

    public uint MethodId => Id;

    public int GetSize() => 13;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongLong(DeliveryTag);
        w.WriteBits(Multiple);
        return w.Position;
    }

    public static BasicAck ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var deliveryTag = r.ReadLongLong();
        byte bits = r.ReadBits();
        return new BasicAck(deliveryTag, WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.reject (60, 90).</summary>
public readonly record struct BasicReject(ulong DeliveryTag, bool Requeue) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 90;

    public uint MethodId => Id;

    public int GetSize() => 13;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongLong(DeliveryTag);
        w.WriteBits(Requeue);
        return w.Position;
    }

    public static BasicReject ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var deliveryTag = r.ReadLongLong();
        byte bits = r.ReadBits();
        return new BasicReject(deliveryTag, WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.recover-async (60, 100).</summary>
public readonly record struct BasicRecoverAsync(bool Requeue) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 100;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteBits(Requeue);
        return w.Position;
    }

    public static BasicRecoverAsync ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        byte bits = r.ReadBits();
        return new BasicRecoverAsync(WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.recover (60, 110).</summary>
public readonly record struct BasicRecover(bool Requeue) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 110;

    public uint MethodId => Id;

    public int GetSize() => 5;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteBits(Requeue);
        return w.Position;
    }

    public static BasicRecover ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        byte bits = r.ReadBits();
        return new BasicRecover(WireReader.IsSet(bits, 0));
    }
}

/// <summary>basic.recover-ok (60, 111).</summary>
public readonly record struct BasicRecoverOk : IAmqpMethod
{
    public const uint Id = (60u << 16) | 111;

    public uint MethodId => Id;

    public int GetSize() => 4;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        return w.Position;
    }

    /// <summary>Takes no arguments; trailing bytes are ignored.</summary>
    public static BasicRecoverOk ReadFrom(ReadOnlySpan<byte> arguments) => default;
}

/// <summary>basic.nack (60, 120).</summary>
public readonly record struct BasicNack(ulong DeliveryTag, bool Multiple, bool Requeue) : IAmqpMethod
{
    public const uint Id = (60u << 16) | 120;

    public uint MethodId => Id;

    public int GetSize() => 13;

    public int WriteTo(Span<byte> destination)
    {
        var w = new WireWriter(destination);
        w.WriteLong(Id);
        w.WriteLongLong(DeliveryTag);
        w.WriteBits(Multiple, Requeue);
        return w.Position;
    }

    public static BasicNack ReadFrom(ReadOnlySpan<byte> arguments)
    {
        var r = new WireReader(arguments);
        var deliveryTag = r.ReadLongLong();
        byte bits = r.ReadBits();
        return new BasicNack(deliveryTag, WireReader.IsSet(bits, 0), WireReader.IsSet(bits, 1));
    }
}
