using System.Collections.Concurrent;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Durability.Tests.Infrastructure;

namespace Warren.Durability.Tests;

/// <summary>
/// The server runs as its own process and is killed with SIGKILL (or stopped with SIGTERM), then
/// started again on the same data folder.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Timeout = 180_000;
    private static readonly string[] Queues = ["crash-a", "crash-b"];

    private readonly TempDataDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private static BasicProperties Persistent(string id) => new() { Persistent = true, MessageId = id };

    private static CreateChannelOptions Confirms => new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    [Fact(Timeout = Timeout)]
    public async Task Every_confirmed_message_survives_a_kill_in_order_per_publisher_and_queue()
    {
        var ct = TestContext.Current.CancellationToken;
        const int publishers = 8;
        const int confirmedBeforeKill = 4000;
        var confirmed = new ConcurrentDictionary<string, byte>();
        var attempted = new ConcurrentDictionary<string, byte>();
        var failuresBeforeKill = new ConcurrentQueue<Exception>();
        var enoughConfirmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = 0;
        var confirmedCount = 0;

        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            var connections = new[] { await server.ConnectAsync(ct), await server.ConnectAsync(ct) };
            await using (var setup = await connections[0].CreateChannelAsync(cancellationToken: ct))
            {
                foreach (var queue in Queues) await setup.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            }

            // Each publisher waits for every confirm in turn, so its order is the order of the
            // confirms; eight of them at once keep several publishes in every group commit.
            var running = Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
            {
                try
                {
                    await using var channel = await connections[p % 2].CreateChannelAsync(Confirms, ct);
                    for (var n = 0; ; n++)
                    {
                        var id = $"{p}:{n}";
                        attempted[id] = 0;
                        await channel.BasicPublishAsync("", Queues[n % 2], mandatory: true, Persistent(id), Encoding.UTF8.GetBytes(id), ct);
                        confirmed[id] = 0;
                        if (Interlocked.Increment(ref confirmedCount) >= confirmedBeforeKill) enoughConfirmed.TrySetResult();
                    }
                }
                catch (Exception e)
                {
                    if (Volatile.Read(ref killed) == 0) failuresBeforeKill.Enqueue(e);
                    enoughConfirmed.TrySetResult();
                }
            })).ToArray();

            await enoughConfirmed.Task.WaitAsync(TimeSpan.FromSeconds(120), ct);
            Assert.Empty(failuresBeforeKill);
            Volatile.Write(ref killed, 1);
            await server.KillAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(60), ct);
            foreach (var connection in connections) connection.Dispose();
        }
        Assert.Empty(failuresBeforeKill);
        var confirmedIds = confirmed.Keys.ToHashSet();
        Assert.True(confirmedIds.Count >= confirmedBeforeKill);

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using var consume = await reader.CreateChannelAsync(cancellationToken: ct);
        var seen = new HashSet<string>();
        foreach (var (queue, index) in Queues.Select((q, i) => (q, i)))
        {
            var lastPerPublisher = new Dictionary<int, int>();
            foreach (var message in await DrainAsync(consume, queue, ct))
            {
                var id = Encoding.UTF8.GetString(message.Body.Span);
                Assert.Equal(id, message.BasicProperties.MessageId);
                Assert.False(message.Redelivered, $"{id} was never delivered");
                Assert.True(seen.Add(id), $"{id} came back twice");
                Assert.True(attempted.ContainsKey(id), $"{id} was never published");
                var parts = id.Split(':');
                int publisher = int.Parse(parts[0]), n = int.Parse(parts[1]);
                Assert.Equal(index, n % 2);
                Assert.True(!lastPerPublisher.TryGetValue(publisher, out var last) || n > last, $"{id} came after {publisher}:{last} in {queue}");
                lastPerPublisher[publisher] = n;
            }
        }
        var missing = confirmedIds.Except(seen).Order().ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} confirmed messages lost, e.g. {string.Join(", ", missing.Take(10))}");
        // Beyond the confirmed ones, at most the one publish each publisher had in flight.
        Assert.True(seen.Count - confirmedIds.Count <= publishers, $"{seen.Count - confirmedIds.Count} unconfirmed messages came back");
    }

    [Fact(Timeout = Timeout)]
    public async Task A_delivered_unacknowledged_message_comes_back_redelivered_after_a_kill()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(Confirms, ct);
            await channel.QueueDeclareAsync("unacked", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.BasicPublishAsync("", "unacked", mandatory: true, Persistent("first"), "first"u8.ToArray(), ct);
            await channel.BasicPublishAsync("", "unacked", mandatory: true, Persistent("second"), "second"u8.ToArray(), ct);

            await using var consumer = await connection.CreateChannelAsync(cancellationToken: ct);
            var delivered = await consumer.BasicGetAsync("unacked", autoAck: false, ct);
            Assert.Equal("first", delivered?.BasicProperties.MessageId);
            // The delivery mark was written before this later publish was confirmed: the confirm
            // means a flush that came after it.
            await channel.BasicPublishAsync("", "unacked", mandatory: true, Persistent("third"), "third"u8.ToArray(), ct);

            await server.KillAsync();
        }

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using var consume = await reader.CreateChannelAsync(cancellationToken: ct);
        var messages = await DrainAsync(consume, "unacked", ct);
        Assert.Equal(["first", "second", "third"], messages.Select(m => m.BasicProperties.MessageId));
        Assert.Equal([true, false, false], messages.Select(m => m.Redelivered));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_graceful_restart_keeps_durable_definitions_and_persistent_messages_and_drops_transient_ones()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(Confirms, ct);
            await channel.ExchangeDeclareAsync("events", ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.ExchangeDeclareAsync("scratch", ExchangeType.Fanout, durable: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync("kept", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync("temporary", durable: false, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueBindAsync("kept", "events", "order.*", cancellationToken: ct);
            await channel.BasicPublishAsync("events", "order.placed", mandatory: true, Persistent("persistent"), "p"u8.ToArray(), ct);
            await channel.BasicPublishAsync("events", "order.placed", mandatory: true, new BasicProperties { Persistent = false, MessageId = "transient" }, "t"u8.ToArray(), ct);
            await channel.BasicPublishAsync("", "temporary", mandatory: true, Persistent("on a transient queue"), "x"u8.ToArray(), ct);

            var exitCode = await server.StopGracefullyAsync();
            Assert.True(exitCode == 0, $"warren exited with {exitCode}:\n{server.Output}");
        }

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using (var consume = await reader.CreateChannelAsync(cancellationToken: ct))
        {
            Assert.Equal(["persistent"], (await DrainAsync(consume, "kept", ct)).Select(m => m.BasicProperties.MessageId));
            // The recovered binding still routes.
            await consume.ExchangeDeclarePassiveAsync("events", ct);
            await consume.BasicPublishAsync("events", "order.shipped", mandatory: false, Persistent("after"), "a"u8.ToArray(), ct);
            Assert.Equal(["after"], (await DrainAsync(consume, "kept", ct)).Select(m => m.BasicProperties.MessageId));
        }
        await AssertNotFoundAsync(reader, ch => ch.QueueDeclarePassiveAsync("temporary", ct), ct);
        await AssertNotFoundAsync(reader, ch => ch.ExchangeDeclarePassiveAsync("scratch", ct), ct);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_committed_publish_survives_a_kill_and_an_uncommitted_one_does_not()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            await channel.QueueDeclareAsync("tx", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.TxSelectAsync(ct);
            for (var i = 0; i < 100; i++)
            {
                await channel.BasicPublishAsync("", "tx", mandatory: false, Persistent($"committed-{i}"), "c"u8.ToArray(), ct);
            }
            await channel.TxCommitAsync(ct); // commit-ok: on disk
            await channel.BasicPublishAsync("", "tx", mandatory: false, Persistent("uncommitted"), "u"u8.ToArray(), ct);
            await channel.BasicPublishAsync("", "tx", mandatory: false, Persistent("rolled back"), "r"u8.ToArray(), ct);
            await channel.TxRollbackAsync(ct);
            await channel.BasicPublishAsync("", "tx", mandatory: false, Persistent("uncommitted"), "u"u8.ToArray(), ct);
            // The passive declare's answer shows the broker has read the last publish.
            await channel.QueueDeclarePassiveAsync("tx", ct);

            await server.KillAsync();
        }

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using var consume = await reader.CreateChannelAsync(cancellationToken: ct);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"committed-{i}"), (await DrainAsync(consume, "tx", ct)).Select(m => m.BasicProperties.MessageId));
    }

    [Fact(Timeout = Timeout)]
    public async Task Messages_survive_two_kills_in_a_row_and_acknowledged_ones_stay_gone_after_a_graceful_stop()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(Confirms, ct);
            await channel.QueueDeclareAsync("twice", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            for (var i = 0; i < 10; i++) await channel.BasicPublishAsync("", "twice", mandatory: true, Persistent($"m{i}"), "m"u8.ToArray(), ct);
            await server.KillAsync();
        }
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(Confirms, ct);
            for (var i = 10; i < 20; i++) await channel.BasicPublishAsync("", "twice", mandatory: true, Persistent($"m{i}"), "m"u8.ToArray(), ct);
            await server.KillAsync();
        }
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            for (var i = 0; i < 5; i++)
            {
                var got = await channel.BasicGetAsync("twice", autoAck: false, ct);
                Assert.Equal($"m{i}", got?.BasicProperties.MessageId);
                await channel.BasicAckAsync(got!.DeliveryTag, multiple: false, ct);
            }
            // The answer to a synchronous method shows the broker has read the acknowledgements.
            await channel.QueueDeclarePassiveAsync("twice", ct);
            await server.StopGracefullyAsync();
        }

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using var consume = await reader.CreateChannelAsync(cancellationToken: ct);
        Assert.Equal(Enumerable.Range(5, 15).Select(i => $"m{i}"), (await DrainAsync(consume, "twice", ct)).Select(m => m.BasicProperties.MessageId));
    }

    [Fact(Timeout = Timeout)]
    public async Task After_a_restart_new_messages_and_recovered_unacknowledged_ones_are_acknowledged_separately()
    {
        var ct = TestContext.Current.CancellationToken;
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var publisher = await connection.CreateChannelAsync(Confirms, ct);
            await using var consumer = await connection.CreateChannelAsync(cancellationToken: ct);
            await publisher.QueueDeclareAsync("mixed", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await publisher.QueueDeclareAsync("barrier", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            foreach (var id in new[] { "a", "b", "c" }) await publisher.BasicPublishAsync("", "mixed", mandatory: true, Persistent(id), "m"u8.ToArray(), ct);
            Assert.Equal("a", (await consumer.BasicGetAsync("mixed", autoAck: false, ct))?.BasicProperties.MessageId); // left unacknowledged
            foreach (var id in new[] { "b", "c" })
            {
                var got = await consumer.BasicGetAsync("mixed", autoAck: false, ct);
                Assert.Equal(id, got?.BasicProperties.MessageId);
                await consumer.BasicAckAsync(got!.DeliveryTag, multiple: false, ct);
            }
            await BarrierAsync(consumer, publisher, ct);
            await server.KillAsync();
        }
        await using (var server = await WarrenProcess.StartAsync(_data.Path, ct))
        {
            await using var connection = await server.ConnectAsync(ct);
            await using var publisher = await connection.CreateChannelAsync(Confirms, ct);
            await using var consumer = await connection.CreateChannelAsync(cancellationToken: ct);
            await publisher.BasicPublishAsync("", "mixed", mandatory: true, Persistent("d"), "m"u8.ToArray(), ct);
            var a = await consumer.BasicGetAsync("mixed", autoAck: false, ct);
            Assert.Equal("a", a?.BasicProperties.MessageId);
            Assert.True(a!.Redelivered);
            var d = await consumer.BasicGetAsync("mixed", autoAck: false, ct);
            Assert.Equal("d", d?.BasicProperties.MessageId);
            await consumer.BasicAckAsync(d!.DeliveryTag, multiple: false, ct); // d settled, a still not
            await BarrierAsync(consumer, publisher, ct);
            await server.KillAsync();
        }

        await using var restarted = await WarrenProcess.StartAsync(_data.Path, ct);
        await using var reader = await restarted.ConnectAsync(ct);
        await using var consume = await reader.CreateChannelAsync(cancellationToken: ct);
        Assert.Equal(["a"], (await DrainAsync(consume, "mixed", ct)).Select(m => m.BasicProperties.MessageId));
    }

    /// <summary>
    /// Acknowledgements have no answer; a synchronous method on their channel shows they were
    /// read, and a confirmed publish after that shows a flush that came after them.
    /// </summary>
    private static async Task BarrierAsync(IChannel consumer, IChannel publisher, CancellationToken ct)
    {
        await consumer.QueueDeclarePassiveAsync("mixed", ct);
        await publisher.BasicPublishAsync("", "barrier", mandatory: true, Persistent("barrier"), "b"u8.ToArray(), ct);
    }

    /// <summary>Takes every ready message with basic.get and auto-ack, in order.</summary>
    private static async Task<List<BasicGetResult>> DrainAsync(IChannel channel, string queue, CancellationToken ct)
    {
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true, ct) is { } message) messages.Add(message);
        return messages;
    }

    private static async Task AssertNotFoundAsync(IConnection connection, Func<IChannel, Task> passiveDeclare, CancellationToken ct)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => passiveDeclare(channel));
        Assert.Equal((ushort?)404, refused.ShutdownReason?.ReplyCode);
    }
}
