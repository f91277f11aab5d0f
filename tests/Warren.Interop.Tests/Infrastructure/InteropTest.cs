using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Interop.Tests.Infrastructure;

/// <summary>
/// Base of every interop case: the broker under test, unique names, connections closed and
/// declared entities deleted after the test.
/// </summary>
public abstract class InteropTest(BrokerTarget target) : IAsyncLifetime
{
    /// <summary>Generous: the machine running the tests is shared, a slow delivery is not a failure.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly List<IConnection> connections = [];
    private readonly List<string> queues = [];
    private readonly List<string> exchanges = [];
    private IConnection? connection;

    protected BrokerTarget Target { get; } = target;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        Target.SkipIfUnavailable();
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var c in connections)
        {
            try { await c.CloseAsync(); } catch (Exception) { /* already closed by the test or the broker */ }
            c.Dispose();
        }
        if (Target.Uri is null || (queues.Count == 0 && exchanges.Count == 0))
            return;
        await using var cleanup = await Target.CreateFactory().CreateConnectionAsync();
        foreach (var q in queues)
            await DeleteQuietlyAsync(cleanup, ch => ch.QueueDeleteAsync(q));
        foreach (var x in exchanges)
            await DeleteQuietlyAsync(cleanup, ch => ch.ExchangeDeleteAsync(x));
        GC.SuppressFinalize(this);
    }

    private static async Task DeleteQuietlyAsync(IConnection c, Func<IChannel, Task> delete)
    {
        try
        {
            await using var ch = await c.CreateChannelAsync();
            await delete(ch);
        }
        catch (OperationInterruptedException) { /* a test may already have deleted it */ }
    }

    /// <summary>A name no other test uses: <c>interop.{kind}.{guid}</c>.</summary>
    protected static string NewName(string kind) => $"interop.{kind}.{Guid.NewGuid():N}";

    /// <summary>A new connection, closed after the test.</summary>
    protected async Task<IConnection> ConnectAsync(Action<ConnectionFactory>? configure = null)
    {
        var c = await Target.CreateConnectionAsync(configure);
        connections.Add(c);
        return c;
    }

    /// <summary>The test's default connection (opened on first use).</summary>
    protected async Task<IConnection> ConnectionAsync() => connection ??= await ConnectAsync();

    /// <summary>
    /// A channel on the test's connection, by default in confirm mode with the client awaiting each
    /// confirm in BasicPublishAsync: then "published" means "enqueued". A plain round trip is not
    /// enough: RabbitMQ's queue process answers queue.declare's counts (a prioritised "stat" call)
    /// before deliveries cast to it earlier, so counts taken right after a publish race.
    /// </summary>
    protected async Task<IChannel> OpenChannelAsync(bool confirms = true) =>
        await (await ConnectionAsync()).CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: confirms, publisherConfirmationTrackingEnabled: confirms), Ct);

    /// <summary>Declares a non-durable queue with a unique name, deleted after the test.</summary>
    protected async Task<string> DeclareQueueAsync(IChannel ch, string? name = null, bool durable = false,
        bool exclusive = false, bool autoDelete = false, IDictionary<string, object?>? arguments = null)
    {
        var ok = await ch.QueueDeclareAsync(name ?? NewName("q"), durable, exclusive, autoDelete, arguments, cancellationToken: Ct);
        queues.Add(ok.QueueName);
        return ok.QueueName;
    }

    /// <summary>Declares an exchange with a unique name, deleted after the test.</summary>
    protected async Task<string> DeclareExchangeAsync(IChannel ch, string type, string? name = null,
        bool durable = false, bool autoDelete = false, IDictionary<string, object?>? arguments = null)
    {
        name ??= NewName(type);
        await ch.ExchangeDeclareAsync(name, type, durable, autoDelete, arguments, cancellationToken: Ct);
        exchanges.Add(name);
        return name;
    }

    /// <summary>Remembers a name to delete after the test (for entities declared in other ways).</summary>
    protected void DeleteAfterTest(string queue) => queues.Add(queue);

    protected void DeleteExchangeAfterTest(string exchange) => exchanges.Add(exchange);

    protected static Task PublishAsync(IChannel ch, string exchange, string routingKey, string body,
        BasicProperties? properties = null, bool mandatory = false) =>
        ch.BasicPublishAsync(exchange, routingKey, mandatory, properties ?? new BasicProperties(),
            System.Text.Encoding.UTF8.GetBytes(body), Ct).AsTask();

    protected static string Text(ReadOnlyMemory<byte> body) => System.Text.Encoding.UTF8.GetString(body.Span);

    /// <summary>
    /// Runs an action expected to make the broker close the channel, then a round trip (basic.qos)
    /// so asynchronous methods (publish, ack) are answered too; returns the broker's channel.close.
    /// </summary>
    protected static async Task<ShutdownEventArgs> ExpectChannelCloseAsync(IChannel ch, Func<Task> action)
    {
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        ch.ChannelShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await action();
            await ch.BasicQosAsync(0, 0, false, Ct);
        }
        catch (OperationInterruptedException) { }
        var reason = await closed.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.False(ch.IsOpen);
        return reason;
    }

    /// <summary>Like <see cref="ExpectChannelCloseAsync"/> for errors that close the whole connection.</summary>
    protected static async Task<ShutdownEventArgs> ExpectConnectionCloseAsync(IConnection c, IChannel ch, Func<Task> action)
    {
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        c.ConnectionShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };
        try
        {
            await action();
            await ch.BasicQosAsync(0, 0, false, Ct);
        }
        catch (OperationInterruptedException) { }
        var reason = await closed.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        Assert.False(c.IsOpen);
        return reason;
    }

    /// <summary>RabbitMQ cuts reply texts longer than a shortstr to 252 bytes plus "...".</summary>
    protected static string AsReplyText(string text) => text.Length > 255 ? text[..252] + "..." : text;

    protected static void AssertClose(ShutdownEventArgs reason, ushort code, string text, ushort classId, ushort methodId)
    {
        Assert.Equal(text, reason.ReplyText);
        Assert.Equal((code, classId, methodId), (reason.ReplyCode, reason.ClassId, reason.MethodId));
    }

    /// <summary>Consumes into an unbounded buffer; deliveries are awaited with a timeout, never slept for.</summary>
    protected async Task<Collector> ConsumeAsync(IChannel ch, string queue, bool autoAck = false,
        string consumerTag = "", bool exclusive = false)
    {
        var collector = new Collector(ch);
        collector.Tag = await ch.BasicConsumeAsync(queue, autoAck, consumerTag, noLocal: false, exclusive,
            arguments: null, collector, Ct);
        return collector;
    }
}

public sealed record Delivery(string ConsumerTag, ulong DeliveryTag, bool Redelivered, string Exchange,
    string RoutingKey, BasicProperties Properties, byte[] Body)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>A consumer that buffers deliveries (copying the bodies: the client reuses its buffers).</summary>
public sealed class Collector(IChannel channel) : AsyncDefaultBasicConsumer(channel)
{
    private readonly Channel<Delivery> deliveries = System.Threading.Channels.Channel.CreateUnbounded<Delivery>();
    private readonly TaskCompletionSource<string> cancelledByBroker = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Tag { get; set; } = "";

    /// <summary>Completes when the broker sends basic.cancel (consumer_cancel_notify).</summary>
    public Task<string> CancelledByBroker => cancelledByBroker.Task;

    public int Buffered => deliveries.Reader.Count;

    public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered,
        string exchange, string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken = default)
    {
        deliveries.Writer.TryWrite(new Delivery(consumerTag, deliveryTag, redelivered, exchange, routingKey,
            new BasicProperties(properties), body.ToArray()));
        return Task.CompletedTask;
    }

    protected override Task OnCancelAsync(string[] consumerTags, CancellationToken cancellationToken = default)
    {
        return Task.CompletedTask;
    }

    public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
    {
        await base.HandleBasicCancelAsync(consumerTag, cancellationToken);
        cancelledByBroker.TrySetResult(consumerTag);
    }

    public async Task<Delivery> NextAsync() =>
        await deliveries.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(InteropTest.Timeout);

    public async Task<List<Delivery>> NextAsync(int count)
    {
        var list = new List<Delivery>(count);
        for (var i = 0; i < count; i++)
            list.Add(await NextAsync());
        return list;
    }

    public bool TryTake(out Delivery? delivery) => deliveries.Reader.TryRead(out delivery);
}
