using Xunit;
using Warren.Broker.Consumers;
using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker.Tests.Model;

/// <summary>A consumer that records what it is given; it can be told to refuse deliveries.</summary>
internal sealed class RecordingConsumer(string tag, bool noAck = true, bool exclusive = false) : Consumer(tag, noAck, exclusive)
{
    private readonly List<QueueEntry> _entries = new();

    /// <summary>When false, TryDeliver refuses (as a consumer at its prefetch limit does).</summary>
    public volatile bool Accepting = true;

    public int CancelledCount;

    public IReadOnlyList<QueueEntry> Entries
    {
        get { lock (_entries) return _entries.ToArray(); }
    }

    public IReadOnlyList<string> Bodies => Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Message.Body)).ToArray();

    protected internal override bool TryDeliver(in QueueEntry entry)
    {
        if (!Accepting) return false;
        lock (_entries) _entries.Add(entry);
        return true;
    }

    protected internal override void OnCancelledByBroker() => Interlocked.Increment(ref CancelledCount);
}

internal static class TestModel
{
    public static readonly QueueSettings Plain = new(Durable: false, Exclusive: false, AutoDelete: false, Arguments: null);
    public static readonly ExchangeSettings PlainExchange = new(Durable: false, AutoDelete: false, Internal: false, Arguments: null);

    public static VirtualHost NewVirtualHost() => new("test");

    public static Message Message(string body, string routingKey = "", string exchange = "", Dictionary<string, object?>? headers = null) =>
        new(exchange, routingKey, headers is null ? MessageProperties.Empty : new MessageProperties { Headers = headers }, System.Text.Encoding.UTF8.GetBytes(body));

    public static Queue DeclareQueue(this VirtualHost vhost, string name, QueueSettings? settings = null, object? connection = null) =>
        vhost.DeclareQueue(name, settings ?? Plain, passive: false, connection).Queue;

    public static Exchange DeclareExchange(this VirtualHost vhost, string name, string type, ExchangeSettings? settings = null) =>
        vhost.DeclareExchange(name, type, settings ?? PlainExchange, passive: false);

    public static void Bind(this VirtualHost vhost, string queue, string exchange, string key = "", Dictionary<string, object?>? arguments = null) =>
        vhost.BindQueue(queue, exchange, key, arguments, connection: null);

    /// <summary>Takes every ready message (no-ack) and returns the bodies in order.</summary>
    public static List<string> Drain(this Queue queue)
    {
        var bodies = new List<string>();
        while (queue.TryGet(noAck: true, out var entry, out _)) bodies.Add(System.Text.Encoding.UTF8.GetString(entry.Message.Body));
        return bodies;
    }

    public static BrokerException Refused(BrokerError error, Action action)
    {
        var e = Assert.Throws<BrokerException>(action);
        Assert.Equal(error, e.Error);
        return e;
    }
}
