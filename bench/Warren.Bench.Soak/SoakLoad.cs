using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Warren.Bench.Soak;

/// <summary>Counters of the mixed traffic, read once a minute.</summary>
public sealed class SoakCounters
{
    public long Published;
    public long Delivered;
    public long Confirmed;
    public long RoundTrips;
    public long ConsumersChurned;
    public long ConnectionsChurned;
    public long Errors;
}

/// <summary>
/// The mixed traffic of the soak, paced to a total publish rate: transient (40 %), persistent with
/// confirms (15 %), fanout to three queues (15 %), rpc over direct reply-to (10 %), and a queue
/// whose consumers come and go (20 %); besides, a connection opens, works and closes every half second.
/// </summary>
public sealed class SoakLoad(Uri uri, double rate, SoakCounters counters, Action<string> log)
{
    private const int BodySize = 256;
    private readonly ConnectionFactory _factory = new() { Uri = uri, AutomaticRecoveryEnabled = false, ClientProvidedName = "warren-soak" };
    private readonly List<IAsyncDisposable> _resources = new();
    private readonly byte[] _body = new byte[BodySize];

    /// <summary>Runs every workload until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(
                TransientAsync(rate * 0.40, cancellationToken),
                PersistentAsync(rate * 0.15, cancellationToken),
                FanoutAsync(rate * 0.15, cancellationToken),
                RpcAsync(rate * 0.10, cancellationToken),
                ConsumerChurnAsync(rate * 0.20, cancellationToken),
                ConnectionChurnAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            for (var i = _resources.Count - 1; i >= 0; i--)
            {
                try
                {
                    await _resources[i].DisposeAsync();
                }
                catch (Exception e) when (e is IOException or RabbitMQ.Client.Exceptions.OperationInterruptedException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
                {
                    // Closing at the end: nothing left to measure.
                }
            }
        }
    }

    /// <summary>The queues the traffic uses.</summary>
    public static readonly string[] Queues = ["soak.transient", "soak.persistent", "soak.fanout.0", "soak.fanout.1", "soak.fanout.2", "soak.rpc", "soak.churn"];

    /// <summary>Messages waiting in the soak's queues (ready and unacknowledged), by passive declares.</summary>
    public static async Task<long> BacklogAsync(Uri uri, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = uri, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync("soak-backlog", cancellationToken);
        long total = 0;
        foreach (var queue in Queues)
        {
            // A queue not declared yet fails the passive declare and closes the channel: one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                total += (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }
        }
        return total;
    }

    /// <summary>
    /// The peak rate of this same mix: steps of <paramref name="stepSeconds"/> at rates growing by
    /// half each time from 1,000 publishes/s; a step is sustained when the queues' backlog grew by
    /// less than a quarter of a second's worth of its rate (at least 2,000: prefetch windows and
    /// requeues make it jitter) and the pacers reached 90 % of it. The peak is the
    /// last sustained rate. The queues are deleted between steps.
    /// </summary>
    public static async Task<double> MeasurePeakAsync(Uri uri, double stepSeconds, Action<string> log, CancellationToken cancellationToken)
    {
        double sustained = 0;
        for (double rate = 1000; ; rate *= 1.5)
        {
            var counters = new SoakCounters();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var run = new SoakLoad(uri, rate, counters, _ => { }).RunAsync(stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken); // warm-up
            var backlogBefore = await BacklogAsync(uri, cancellationToken);
            var publishedBefore = Interlocked.Read(ref counters.Published);
            var watch = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(stepSeconds), cancellationToken);
            var published = (Interlocked.Read(ref counters.Published) - publishedBefore) / watch.Elapsed.TotalSeconds;
            var backlogGrowth = await BacklogAsync(uri, cancellationToken) - backlogBefore;
            await stop.CancelAsync();
            await run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await DeleteQueuesAsync(uri, cancellationToken);
            // Published counts the rpc replies too: the pacers' own rate is 1/1.1 of it.
            var ok = backlogGrowth < Math.Max(2000, rate / 4) && published / 1.1 >= 0.9 * rate;
            log(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  peak step {rate,8:N0}/s: published {published / 1.1,8:N0}/s, backlog {backlogGrowth:+#,0;-#,0;0}: {(ok ? "sustained" : "not sustained")}"));
            if (!ok) return Math.Max(sustained, 1000);
            sustained = rate;
        }
    }

    private static async Task DeleteQueuesAsync(Uri uri, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = uri, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync("soak-cleanup", cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        foreach (var queue in Queues) await channel.QueueDeleteAsync(queue, cancellationToken: cancellationToken);
    }

    private async Task<IChannel> OpenChannelAsync(string name, bool confirms, CancellationToken cancellationToken)
    {
        var connection = await _factory.CreateConnectionAsync($"soak-{name}", cancellationToken);
        _resources.Add(connection);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(confirms, confirms), cancellationToken);
        _resources.Add(channel);
        return channel;
    }

    private async Task TransientAsync(double share, CancellationToken cancellationToken)
    {
        const string queue = "soak.transient";
        var publisher = await OpenChannelAsync(queue + "-publisher", confirms: false, cancellationToken);
        await publisher.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var consumer = await OpenChannelAsync(queue + "-consumer", confirms: false, cancellationToken);
        await ConsumeAsync(consumer, queue, prefetch: 200, cancellationToken);
        await PaceAsync(share, () => PublishAsync(publisher, "", queue, persistent: false, cancellationToken), cancellationToken);
    }

    private async Task PersistentAsync(double share, CancellationToken cancellationToken)
    {
        const string Queue = "soak.persistent";
        var publisher = await OpenChannelAsync("persistent-publisher", confirms: true, cancellationToken);
        await publisher.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var consumer = await OpenChannelAsync("persistent-consumer", confirms: false, cancellationToken);
        await ConsumeAsync(consumer, Queue, prefetch: 200, cancellationToken);
        // Up to 500 publishes awaiting their confirm at once, as a batching publisher would.
        using var window = new SemaphoreSlim(500);
        await PaceAsync(share, async ValueTask () =>
        {
            await window.WaitAsync(cancellationToken);
            _ = ConfirmAsync();
        }, cancellationToken);

        async Task ConfirmAsync()
        {
            try
            {
                await PublishAsync(publisher, "", Queue, persistent: true, cancellationToken);
                Interlocked.Increment(ref counters.Confirmed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref counters.Errors);
            }
            finally
            {
                window.Release();
            }
        }
    }

    private async Task FanoutAsync(double share, CancellationToken cancellationToken)
    {
        const string Exchange = "soak.fanout";
        var publisher = await OpenChannelAsync("fanout-publisher", confirms: false, cancellationToken);
        await publisher.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, cancellationToken: cancellationToken);
        var consumers = await OpenChannelAsync("fanout-consumers", confirms: false, cancellationToken);
        for (var i = 0; i < 3; i++)
        {
            var queue = $"soak.fanout.{i}";
            await consumers.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await consumers.QueueBindAsync(queue, Exchange, "", cancellationToken: cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(consumers);
            consumer.ReceivedAsync += (_, _) =>
            {
                Interlocked.Increment(ref counters.Delivered);
                return Task.CompletedTask;
            };
            await consumers.BasicConsumeAsync(queue, autoAck: true, consumer, cancellationToken);
        }
        await PaceAsync(share, () => PublishAsync(publisher, Exchange, "", persistent: false, cancellationToken), cancellationToken);
    }

    private async Task RpcAsync(double share, CancellationToken cancellationToken)
    {
        const string Queue = "soak.rpc";
        var responder = await OpenChannelAsync("rpc-responder", confirms: false, cancellationToken);
        await responder.QueueDeclareAsync(Queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var serve = new AsyncEventingBasicConsumer(responder);
        serve.ReceivedAsync += async (_, e) =>
        {
            Interlocked.Increment(ref counters.Delivered);
            var reply = new BasicProperties { CorrelationId = e.BasicProperties.CorrelationId };
            await responder.BasicPublishAsync("", e.BasicProperties.ReplyTo!, false, reply, e.Body, cancellationToken);
            Interlocked.Increment(ref counters.Published);
        };
        await responder.BasicConsumeAsync(Queue, autoAck: true, serve, cancellationToken);

        var requester = await OpenChannelAsync("rpc-requester", confirms: false, cancellationToken);
        var replies = new AsyncEventingBasicConsumer(requester);
        replies.ReceivedAsync += (_, _) =>
        {
            Interlocked.Increment(ref counters.Delivered);
            Interlocked.Increment(ref counters.RoundTrips);
            return Task.CompletedTask;
        };
        await requester.BasicConsumeAsync("amq.rabbitmq.reply-to", autoAck: true, replies, cancellationToken);
        long correlation = 0;
        await PaceAsync(share, async ValueTask () =>
        {
            var request = new BasicProperties { ReplyTo = "amq.rabbitmq.reply-to", CorrelationId = (++correlation).ToString(System.Globalization.CultureInfo.InvariantCulture) };
            await requester.BasicPublishAsync("", Queue, false, request, _body, cancellationToken);
            Interlocked.Increment(ref counters.Published);
        }, cancellationToken);
    }

    // Consumers come and go: every 3 s a new consumer starts on a channel of its own and the oldest
    // is cancelled and its channel closed (its unacknowledged messages go back to the queue).
    private async Task ConsumerChurnAsync(double share, CancellationToken cancellationToken)
    {
        const string Queue = "soak.churn";
        var publisher = await OpenChannelAsync("churn-publisher", confirms: false, cancellationToken);
        await publisher.QueueDeclareAsync(Queue, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        var connection = await _factory.CreateConnectionAsync("soak-churn-consumers", cancellationToken);
        _resources.Add(connection);
        var publishing = PaceAsync(share, () => PublishAsync(publisher, "", Queue, persistent: false, cancellationToken), cancellationToken);
        var live = new Queue<IChannel>();
        while (!cancellationToken.IsCancellationRequested)
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await ConsumeAsync(channel, Queue, prefetch: 50, cancellationToken);
            live.Enqueue(channel);
            if (live.Count > 2)
            {
                var old = live.Dequeue();
                await old.CloseAsync(cancellationToken);
                await old.DisposeAsync();
                Interlocked.Increment(ref counters.ConsumersChurned);
            }
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        }
        await publishing;
    }

    // A connection that opens, declares an exclusive queue, publishes and gets ten messages and
    // closes, twice a second.
    private async Task ConnectionChurnAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _factory.CreateConnectionAsync("soak-churn", cancellationToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken)).QueueName;
                for (var i = 0; i < 10; i++) await PublishAsync(channel, "", queue, persistent: false, cancellationToken);
                for (var i = 0; i < 10; i++)
                {
                    if (await channel.BasicGetAsync(queue, autoAck: true, cancellationToken) is not null) Interlocked.Increment(ref counters.Delivered);
                }
                await connection.CloseAsync(cancellationToken);
                Interlocked.Increment(ref counters.ConnectionsChurned);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref counters.Errors);
                log($"connection churn: {e.GetType().Name}: {e.Message}");
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private async Task ConsumeAsync(IChannel channel, string queue, ushort prefetch, CancellationToken cancellationToken)
    {
        await channel.BasicQosAsync(0, prefetch, false, cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            Interlocked.Increment(ref counters.Delivered);
            await channel.BasicAckAsync(e.DeliveryTag, multiple: false, cancellationToken);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, cancellationToken);
    }

    private async ValueTask PublishAsync(IChannel channel, string exchange, string routingKey, bool persistent, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties { DeliveryMode = persistent ? DeliveryModes.Persistent : DeliveryModes.Transient };
        await channel.BasicPublishAsync(exchange, routingKey, false, properties, _body, cancellationToken);
        Interlocked.Increment(ref counters.Published);
    }

    // Sends at `perSecond` on average; a stall is not made up for by more than a second's burst.
    private static async Task PaceAsync(double perSecond, Func<ValueTask> send, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        double sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = double.IsPositiveInfinity(perSecond) ? sent + 1000 : clock.Elapsed.TotalSeconds * perSecond;
            if (due - sent > perSecond) sent = due - perSecond;
            while (sent < due)
            {
                await send();
                sent++;
            }
            if (!double.IsPositiveInfinity(perSecond)) await Task.Delay(10, cancellationToken);
        }
    }
}
