using System.Diagnostics;
using RabbitMQ.Client;
using Warren.Bench.Lean;
using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>
/// Producers publish steadily while consumers drain: the transient, fanout (event), competing
/// (command) and persistent scenarios differ only in topology, delivery mode and confirms.
/// </summary>
internal static class FlowScenario
{
    // The event pattern: four services subscribe to order events with different patterns, and
    // each matches the key the producer uses, so every publish is four deliveries.
    private static readonly string[] FanoutPatterns = ["orders.#", "orders.*.eu", "*.created.*", "#"];
    private const string FanoutRoutingKey = "orders.created.eu";

    public static async Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var scenario = settings.Scenario;
        bool fanout = scenario == "fanout";
        bool persistent = scenario == "persistent";
        int queueCount = fanout ? FanoutPatterns.Length : 1;
        int consumersPerQueue = settings.Consumers ?? (scenario == "competing" ? 4 : 1);
        int consumerCount = queueCount * consumersPerQueue;
        var name = BenchAmqp.UniqueName(scenario);
        var factory = BenchAmqp.Factory(settings.Uri, name);
        var resources = new List<IAsyncDisposable>();
        var counters = new FlowCounters(consumerCount);
        using var stop = new CancellationTokenSource();
        var producers = new List<Task>();
        var notes = new List<string>();
        var queues = new string[queueCount];
        string exchange = fanout ? name : "";
        try
        {
            var setup = await factory.CreateConnectionAsync(cancellationToken);
            resources.Add(setup);
            var setupChannel = await setup.CreateChannelAsync(cancellationToken: cancellationToken);
            resources.Add(setupChannel);
            if (fanout) await setupChannel.ExchangeDeclareAsync(exchange, ExchangeType.Topic, durable: false, autoDelete: false, cancellationToken: cancellationToken);
            for (int q = 0; q < queueCount; q++)
            {
                queues[q] = queueCount == 1 ? name : $"{name}-{q}";
                await setupChannel.QueueDeclareAsync(queues[q], durable: persistent, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
                if (fanout) await setupChannel.QueueBindAsync(queues[q], exchange, FanoutPatterns[q], cancellationToken: cancellationToken);
            }

            int ackEvery = Math.Max(1, settings.Prefetch / 2);
            for (int c = 0; c < consumerCount && settings.Lean; c++)
            {
                var lean = await LeanConnection.OpenAsync(settings.Uri, cancellationToken);
                resources.Add(lean);
                int index = c;
                string queue = queues[c / consumersPerQueue];
                producers.Add(Task.Run(() => LeanClients.ConsumeAsync(lean, queue, settings.Prefetch, ackEvery, index, counters, stop.Token), CancellationToken.None));
            }
            for (int c = 0; c < consumerCount && !settings.Lean; c++)
            {
                var connection = await factory.CreateConnectionAsync(cancellationToken);
                resources.Add(connection);
                var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
                resources.Add(channel);
                await channel.BasicQosAsync(0, settings.Prefetch, global: false, cancellationToken);
                var consumer = new BenchConsumer(channel, counters, c, ackEvery, autoAck: false);
                await channel.BasicConsumeAsync(queues[c / consumersPerQueue], autoAck: false, consumer, cancellationToken);
            }

            string routingKey = fanout ? FanoutRoutingKey : queues[0];
            for (int p = 0; p < settings.Producers && settings.Lean; p++)
            {
                var lean = await LeanConnection.OpenAsync(settings.Uri, cancellationToken);
                resources.Add(lean);
                double rate = settings.Rate / settings.Producers;
                producers.Add(Task.Run(() => LeanClients.PublishAsync(lean, exchange, routingKey, settings.MessageSize, rate, counters, stop.Token), CancellationToken.None));
            }
            for (int p = 0; p < settings.Producers && !settings.Lean; p++)
            {
                var connection = await factory.CreateConnectionAsync(cancellationToken);
                resources.Add(connection);
                var options = persistent ? new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null) : null;
                var channel = await connection.CreateChannelAsync(options, cancellationToken);
                resources.Add(channel);
                double rate = settings.Rate / settings.Producers;
                producers.Add(persistent
                    ? Task.Run(() => PublishConfirmedAsync(channel, exchange, routingKey, settings, rate, counters, stop.Token), CancellationToken.None)
                    : Task.Run(() => PublishAsync(channel, exchange, routingKey, settings.MessageSize, rate, counters, stop.Token), CancellationToken.None));
            }

            await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
            counters.StartRecording();
            long published0 = counters.Published;
            var delivered0 = counters.Snapshot();
            var window = MeasurementWindow.Open(settings.BrokerPid);
            await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);
            window.Close();
            var delivered1 = counters.Snapshot();
            long published = counters.Published - published0;
            counters.StopRecording();
            await stop.CancelAsync();
            await WaitAsync(producers, notes);

            long delivered = 0;
            var shares = new long[consumerCount];
            for (int c = 0; c < consumerCount; c++)
            {
                shares[c] = delivered1[c] - delivered0[c];
                delivered += shares[c];
            }
            double seconds = window.Seconds;
            var metrics = new List<Metric>();
            if (persistent) metrics.Add(new Metric("confirmed_per_s", "confirmed publishes/s", published / seconds, "msg/s", true));
            else metrics.Add(new Metric("published_per_s", "published/s", published / seconds, "msg/s", true));
            metrics.Add(new Metric("delivered_per_s", fanout ? "deliveries/s (all queues)" : "delivered/s", delivered / seconds, "msg/s", true));
            metrics.Add(new Metric("latency_p50_us", "latency p50", counters.Latency.PercentileMicroseconds(50), "µs", false));
            metrics.Add(new Metric("latency_p99_us", "latency p99", counters.Latency.PercentileMicroseconds(99), "µs", false));
            if (consumersPerQueue > 1 && delivered > 0)
            {
                // Fairness: the least served consumer's share over the most served one's (1 = even).
                long min = shares.Min(), max = shares.Max();
                metrics.Add(new Metric("fairness", "fairness (min/max share)", max == 0 ? double.NaN : (double)min / max, "", true));
                notes.Add("per-consumer share: " + string.Join(" ", shares.Select(s => $"{100.0 * s / delivered:F1}%")));
            }
            window.AddCpuAndMemory(metrics, delivered, notes);
            if (settings.Lean) notes.Add("lean client: raw socket and Warren's codec, not RabbitMQ.Client");
            if (settings.Rate > 0) notes.Add($"publish rate fixed at {settings.Rate:F0} msg/s");
            return new RunResult(scenario, settings.BrokerLabel, DateTimeOffset.Now, metrics, notes);
        }
        finally
        {
            if (!stop.IsCancellationRequested) await stop.CancelAsync();
            await WaitAsync(producers, notes);
            await DeleteAsync(factory, fanout ? exchange : null, queues);
            await BenchAmqp.CloseAllAsync(resources);
        }
    }

    private static async Task PublishAsync(IChannel channel, string exchange, string routingKey, int size, double rate, FlowCounters counters, CancellationToken stop)
    {
        var body = new byte[size];
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Transient };
        long start = Stopwatch.GetTimestamp();
        long sent = 0;
        while (!stop.IsCancellationRequested)
        {
            await BenchAmqp.PaceAsync(rate, sent, start, stop);
            BenchAmqp.Stamp(body);
            // The client copies the body into its outgoing buffer before this completes: one array serves.
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, stop);
            counters.AddPublished();
            sent++;
        }
    }

    /// <summary>Publishes with confirms, at most <see cref="BenchSettings.ConfirmWindow"/> unconfirmed at a time.</summary>
    private static async Task PublishConfirmedAsync(IChannel channel, string exchange, string routingKey, BenchSettings settings, double rate, FlowCounters counters, CancellationToken stop)
    {
        var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent };
        var inFlight = new Queue<Task>(settings.ConfirmWindow);
        long start = Stopwatch.GetTimestamp();
        long sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await BenchAmqp.PaceAsync(rate, sent, start, stop);
                // Confirms come back in order, so waiting for the oldest keeps a sliding window.
                while (inFlight.Count >= settings.ConfirmWindow)
                {
                    await inFlight.Dequeue();
                    counters.AddPublished();
                }
                var body = new byte[settings.MessageSize];
                BenchAmqp.Stamp(body);
                inFlight.Enqueue(channel.BasicPublishAsync(exchange, routingKey, mandatory: false, properties, body, CancellationToken.None).AsTask());
                sent++;
            }
        }
        finally
        {
            while (inFlight.TryDequeue(out var pending))
            {
                try
                {
                    await pending.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // Stopping: unconfirmed tail messages do not count.
                }
            }
        }
    }

    private static async Task WaitAsync(List<Task> producers, List<string> notes)
    {
        foreach (var producer in producers)
        {
            try
            {
                await producer.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (OperationCanceledException)
            {
                // The stop signal.
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // A lean client's socket closed under it while stopping.
            }
            catch (TimeoutException)
            {
                notes.Add("a producer did not stop within 10 s (publisher blocked?)");
            }
        }
        producers.Clear();
    }

    private static async Task DeleteAsync(ConnectionFactory factory, string? exchange, string?[] queues)
    {
        try
        {
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            foreach (var queue in queues)
            {
                if (queue is not null) await channel.QueueDeleteAsync(queue);
            }
            if (exchange is not null) await channel.ExchangeDeleteAsync(exchange);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"clean-up failed: {e.Message}");
        }
    }
}
