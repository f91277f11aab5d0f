using System.Diagnostics;
using RabbitMQ.Client;
using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>
/// Queues up <see cref="BenchSettings.Messages"/> messages with no consumer, then drains them:
/// publish and drain rates, and (with the broker's pid) its memory per queued message.
/// </summary>
internal static class BacklogScenario
{
    public static async Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var name = BenchAmqp.UniqueName("backlog");
        var factory = BenchAmqp.Factory(settings.Uri, name);
        var resources = new List<IAsyncDisposable>();
        var notes = new List<string>();
        int count = settings.Messages;
        IChannel? setupChannel = null;
        try
        {
            var connection = await factory.CreateConnectionAsync(cancellationToken);
            resources.Add(connection);
            setupChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            resources.Add(setupChannel);
            await setupChannel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            // Let the broker settle after the declare, so the memory baseline is the idle queue's.
            await Task.Delay(500, cancellationToken);
            long? rss0 = settings.BrokerPid is { } pid ? ProcessStats.ReadRss(pid) : null;
            var window = MeasurementWindow.Open(settings.BrokerPid);

            // Publish: one producer per --producers, the count split between them.
            var publishStart = Stopwatch.GetTimestamp();
            var producers = new List<Task>();
            for (int p = 0; p < settings.Producers; p++)
            {
                var producerConnection = await factory.CreateConnectionAsync(cancellationToken);
                resources.Add(producerConnection);
                var channel = await producerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
                resources.Add(channel);
                int share = count / settings.Producers + (p < count % settings.Producers ? 1 : 0);
                producers.Add(Task.Run(() => PublishAsync(channel, name, share, settings.MessageSize, cancellationToken), cancellationToken));
            }
            await Task.WhenAll(producers);
            // Published is not queued: the rate counts until the broker reports every message in the queue.
            await WaitForDepthAsync(setupChannel, name, count, cancellationToken);
            double publishSeconds = Stopwatch.GetElapsedTime(publishStart).TotalSeconds;
            await Task.Delay(500, cancellationToken);
            long? rss1 = settings.BrokerPid is { } pid1 ? ProcessStats.ReadRss(pid1) : null;

            // Drain with one consumer (or --consumers), manual multiple acks.
            var counters = new FlowCounters(settings.Consumers ?? 1);
            var drainStart = Stopwatch.GetTimestamp();
            int ackEvery = Math.Max(1, settings.Prefetch / 2);
            for (int c = 0; c < counters.Consumers; c++)
            {
                var consumerConnection = await factory.CreateConnectionAsync(cancellationToken);
                resources.Add(consumerConnection);
                var channel = await consumerConnection.CreateChannelAsync(cancellationToken: cancellationToken);
                resources.Add(channel);
                await channel.BasicQosAsync(0, settings.Prefetch, global: false, cancellationToken);
                await channel.BasicConsumeAsync(name, autoAck: false, new BenchConsumer(channel, counters, c, ackEvery, autoAck: false), cancellationToken);
            }
            var deadline = Stopwatch.GetTimestamp();
            while (counters.DeliveredTotal() < count)
            {
                await Task.Delay(5, cancellationToken);
                if (Stopwatch.GetElapsedTime(deadline).TotalSeconds > 300) throw new TimeoutException($"drained {counters.DeliveredTotal()} of {count} in 300 s");
            }
            double drainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
            window.Close();

            var metrics = new List<Metric>
            {
                new("publish_per_s", "publish (until queued)", count / publishSeconds, "msg/s", true),
                new("drain_per_s", "drain", count / drainSeconds, "msg/s", true),
            };
            if (rss0 is { } before && rss1 is { } after)
            {
                metrics.Add(new Metric("bytes_per_queued_msg", "broker memory per queued msg", (after - before) / (double)count, "B", false));
            }
            window.AddCpuAndMemory(metrics, count, notes);
            notes.Add($"{count:N0} messages of {settings.MessageSize} B; CPU per 1M covers publishing and draining them");
            return new RunResult("backlog", settings.BrokerLabel, DateTimeOffset.Now, metrics, notes);
        }
        finally
        {
            try
            {
                if (setupChannel is { IsOpen: true }) await setupChannel.QueueDeleteAsync(name, cancellationToken: CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"clean-up failed: {e.Message}");
            }
            await BenchAmqp.CloseAllAsync(resources);
        }
    }

    private static async Task PublishAsync(IChannel channel, string queue, int count, int size, CancellationToken cancellationToken)
    {
        var body = new byte[size];
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Transient };
        for (int i = 0; i < count; i++)
        {
            BenchAmqp.Stamp(body);
            await channel.BasicPublishAsync("", queue, mandatory: false, properties, body, cancellationToken);
        }
    }

    private static async Task WaitForDepthAsync(IChannel channel, string queue, int count, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var depth = (await channel.QueueDeclarePassiveAsync(queue, cancellationToken)).MessageCount;
            if (depth >= count) return;
            if (Stopwatch.GetElapsedTime(start).TotalSeconds > 300) throw new TimeoutException($"the queue holds {depth} of {count} messages after 300 s");
            await Task.Delay(10, cancellationToken);
        }
    }
}
