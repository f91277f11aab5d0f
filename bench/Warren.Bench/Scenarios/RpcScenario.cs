using System.Collections.Concurrent;
using System.Globalization;
using RabbitMQ.Client;
using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>
/// Request/response: a requester keeps <see cref="BenchSettings.InFlight"/> requests outstanding
/// on a request queue; a responder answers each to the requester's own reply queue with the same
/// correlation id; every reply sends the next request. Round trips/s and RTT percentiles.
/// </summary>
internal static class RpcScenario
{
    public static async Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var name = BenchAmqp.UniqueName("rpc");
        var factory = BenchAmqp.Factory(settings.Uri, name);
        var resources = new List<IAsyncDisposable>();
        var latency = new LatencyHistogram();
        var notes = new List<string>();
        try
        {
            var responderConnection = await factory.CreateConnectionAsync(cancellationToken);
            resources.Add(responderConnection);
            var responderChannel = await responderConnection.CreateChannelAsync(cancellationToken: cancellationToken);
            resources.Add(responderChannel);
            await responderChannel.QueueDeclareAsync(name, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await responderChannel.BasicConsumeAsync(name, autoAck: true, new Responder(responderChannel), cancellationToken);

            var requesterConnection = await factory.CreateConnectionAsync(cancellationToken);
            resources.Add(requesterConnection);
            var requestChannel = await requesterConnection.CreateChannelAsync(cancellationToken: cancellationToken);
            resources.Add(requestChannel);
            var replyChannel = await requesterConnection.CreateChannelAsync(cancellationToken: cancellationToken);
            resources.Add(replyChannel);
            var replyQueue = (await replyChannel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken)).QueueName;
            var requester = new Requester(replyChannel, requestChannel, name, replyQueue, settings.MessageSize, latency);
            // The first requests go out before the reply consumer starts, so that from then on only
            // the consumer's (serial) callback publishes on the request channel.
            for (int i = 0; i < settings.InFlight; i++) await requester.SendAsync(cancellationToken);
            await replyChannel.BasicConsumeAsync(replyQueue, autoAck: true, requester, cancellationToken);

            await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
            latency.Reset();
            long done0 = requester.Completed;
            var window = MeasurementWindow.Open(settings.BrokerPid);
            await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);
            window.Close();
            long trips = requester.Completed - done0;
            requester.Stop();
            if (requester.Failure is { } failure) throw new InvalidOperationException("the requester failed", failure);

            double seconds = window.Seconds;
            var metrics = new List<Metric>
            {
                new("round_trips_per_s", "round trips/s", trips / seconds, "rt/s", true),
                new("rtt_p50_us", "round trip p50", latency.PercentileMicroseconds(50), "µs", false),
                new("rtt_p99_us", "round trip p99", latency.PercentileMicroseconds(99), "µs", false),
            };
            // A round trip is two deliveries (request and reply): CPU is per message like the others.
            window.AddCpuAndMemory(metrics, 2 * trips, notes);
            notes.Add($"{settings.InFlight} request(s) in flight");
            return new RunResult($"rpc-{settings.InFlight}", settings.BrokerLabel, DateTimeOffset.Now, metrics, notes);
        }
        finally
        {
            try
            {
                if (resources.Count > 1 && resources[1] is IChannel channel && channel.IsOpen) await channel.QueueDeleteAsync(name, cancellationToken: CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"clean-up failed: {e.Message}");
            }
            await BenchAmqp.CloseAllAsync(resources);
        }
    }

    /// <summary>Answers every request to its reply-to queue with its correlation id and body.</summary>
    private sealed class Responder(IChannel channel) : AsyncDefaultBasicConsumer(channel)
    {
        public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
            string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            if (properties.ReplyTo is not { } replyTo) return;
            var reply = new BasicProperties { CorrelationId = properties.CorrelationId };
            await Channel.BasicPublishAsync("", replyTo, mandatory: false, reply, body, cancellationToken);
        }
    }

    /// <summary>Matches replies to requests by correlation id, records the RTT, sends the next request.</summary>
    private sealed class Requester(IChannel replyChannel, IChannel requestChannel, string requestQueue, string replyQueue, int size, LatencyHistogram latency)
        : AsyncDefaultBasicConsumer(replyChannel)
    {
        private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);
        private long _nextId;
        private long _completed;
        private volatile bool _stopped;

        public long Completed => Interlocked.Read(ref _completed);

        public Exception? Failure { get; private set; }

        public void Stop() => _stopped = true;

        public async Task SendAsync(CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
            var body = new byte[size];
            var properties = new BasicProperties { CorrelationId = id, ReplyTo = replyQueue };
            _pending[id] = System.Diagnostics.Stopwatch.GetTimestamp();
            await requestChannel.BasicPublishAsync("", requestQueue, mandatory: false, properties, body, cancellationToken);
        }

        public override async Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange,
            string routingKey, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
        {
            if (properties.CorrelationId is not { } id || !_pending.TryRemove(id, out var sent)) return;
            latency.RecordSince(sent);
            Interlocked.Increment(ref _completed);
            if (_stopped) return;
            try
            {
                await SendAsync(cancellationToken);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Failure ??= e;
            }
        }
    }
}
