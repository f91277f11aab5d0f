using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Bench.Measuring;
using Warren.Bench.Reporting;
using Warren.Messaging;
using Warren.Messaging.Configuration;

namespace Warren.Bench.Scenarios;

/// <summary>The small event every side of the library scenario publishes and handles.</summary>
[Message("bench.library.event")]
public sealed record LibraryEvent(int Id, string Text);

/// <summary>
/// Counts what the one service of a library run handled; the handler is transient (the library
/// creates one per message), the counter is the singleton it shares.
/// </summary>
public sealed class LibraryCounter
{
    /// <summary>Events published but not yet handled, at most: the in-process transport confirms a
    /// publish when it is queued, so without a bound publishers outrun the handler and the
    /// "steady state" would be a growing queue. Over AMQP the confirms bind long before this.</summary>
    public const int MaxUnhandled = 10_000;

    private long _handled;
    private long _target = long.MaxValue;

    public TaskCompletionSource Drained { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Taken by a publisher before each publish, given back by the handler.</summary>
    public SemaphoreSlim Credit { get; } = new(MaxUnhandled, int.MaxValue);

    public void Increment()
    {
        Credit.Release();
        if (Interlocked.Increment(ref _handled) >= Interlocked.Read(ref _target)) Drained.TrySetResult();
    }

    /// <summary>Completes <see cref="Drained"/> once <paramref name="published"/> messages are handled.</summary>
    public void DrainTo(long published)
    {
        Interlocked.Exchange(ref _target, published);
        if (Handled >= published) Drained.TrySetResult();
    }
}

/// <summary>The library's event handler: counts.</summary>
public sealed class LibraryEventHandler(LibraryCounter counter) : IHandleEvent<LibraryEvent>
{
    public Task HandleAsync(LibraryEvent message, MessageContext context)
    {
        counter.Increment();
        return Task.CompletedTask;
    }
}

/// <summary>
/// Issue 3's figures: events/s published and handled through Warren.Messaging by one service that
/// both publishes and handles them, (a) on the in-process transport (an embedded broker, no
/// sockets), (b) over AMQP to <see cref="BenchSettings.Uri"/>, and (c) the same workload with raw
/// RabbitMQ.Client on the same broker: a durable topic exchange and durable queue, persistent
/// messages with a JSON body, publisher confirms tracked per publish (as the library's publishing
/// channel does: each PublishAsync awaits its own confirm and <c>--producers</c> concurrent
/// publishes share one channel, so confirms batch), one consumer with manual single acks after
/// handling, the library's default prefetch (32) and dispatch concurrency (4). The three run one
/// after the other in each round (alternated), and the library's AMQP throughput is reported as a
/// share of raw's.
/// </summary>
public static class LibraryScenario
{
    /// <summary>The library's defaults (WarrenOptions): the raw side uses the same.</summary>
    public static readonly ushort LibraryPrefetch = new WarrenOptions().Prefetch;

    public static readonly int LibraryConcurrency = new WarrenOptions().Concurrency;

    public const int DefaultProducers = 4;

    public static readonly string[] Sides = ["in-process", "library-amqp", "raw-amqp"];

    /// <summary>One round: in-process, library over AMQP, raw over AMQP, in that order.</summary>
    public static async Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var metrics = new List<Metric>();
        var notes = new List<string>();
        var inProcess = await RunSideAsync("in-process", settings, cancellationToken);
        var library = await RunSideAsync("library-amqp", settings, cancellationToken);
        var raw = await RunSideAsync("raw-amqp", settings, cancellationToken);
        metrics.Add(new Metric("inproc_eps", "in-process events/s", inProcess.HandledPerSecond, "msg/s", true));
        metrics.Add(new Metric("library_eps", "library AMQP events/s", library.HandledPerSecond, "msg/s", true));
        metrics.Add(new Metric("raw_eps", "raw RabbitMQ.Client events/s", raw.HandledPerSecond, "msg/s", true));
        metrics.Add(new Metric("library_pct_of_raw", "library / raw", 100 * library.HandledPerSecond / raw.HandledPerSecond, "%", true));
        metrics.Add(new Metric("inproc_pub_eps", "in-process published/s", inProcess.PublishedPerSecond, "msg/s", true));
        metrics.Add(new Metric("library_pub_eps", "library AMQP published/s", library.PublishedPerSecond, "msg/s", true));
        metrics.Add(new Metric("raw_pub_eps", "raw published/s", raw.PublishedPerSecond, "msg/s", true));
        metrics.Add(new Metric("inproc_cpu_us", "in-process CPU per event (whole process)", inProcess.CpuMicrosPerEvent, "µs", false));
        metrics.Add(new Metric("library_cpu_us", "library AMQP client CPU per event", library.CpuMicrosPerEvent, "µs", false));
        metrics.Add(new Metric("raw_cpu_us", "raw client CPU per event", raw.CpuMicrosPerEvent, "µs", false));
        metrics.Add(new Metric("library_alloc_b", "library AMQP client bytes allocated per event", library.AllocatedBytesPerEvent, "B", false));
        metrics.Add(new Metric("raw_alloc_b", "raw client bytes allocated per event", raw.AllocatedBytesPerEvent, "B", false));
        if (settings.BrokerPid is not null)
        {
            metrics.Add(new Metric("library_broker_cpu_us", "broker CPU per event (library)", library.BrokerCpuMicrosPerEvent, "µs", false));
            metrics.Add(new Metric("raw_broker_cpu_us", "broker CPU per event (raw)", raw.BrokerCpuMicrosPerEvent, "µs", false));
        }
        notes.Add($"{settings.Producers} concurrent publishers, prefetch {settings.Prefetch}, handler concurrency {LibraryConcurrency}, persistent, confirms on");
        return new RunResult("library", settings.BrokerLabel, started, metrics, notes);
    }

    /// <summary>--runs rounds; every figure's median; the ratio of the medians.</summary>
    public static async Task<IReadOnlyList<RunResult>> RunRoundsAsync(BenchSettings settings, int runs, Action<string>? log, CancellationToken cancellationToken)
    {
        var results = new List<RunResult>();
        for (int i = 0; i < runs; i++)
        {
            var result = await RunAsync(settings, cancellationToken);
            results.Add(result);
            log?.Invoke($"run {i + 1}/{runs}: in-process {TextTable.Format(result.Get("inproc_eps"))}/s, library AMQP {TextTable.Format(result.Get("library_eps"))}/s, " +
                        $"raw {TextTable.Format(result.Get("raw_eps"))}/s, library/raw {result.Get("library_pct_of_raw"):F1}%");
        }
        return results;
    }

    /// <summary>A table of every figure: median and each run; the ratio of the medians last.</summary>
    public static string Render(IReadOnlyList<RunResult> runs)
    {
        var keys = runs[0].Metrics;
        var rows = keys.Select(m => (IReadOnlyList<string>)
        [
            $"{m.Label} ({m.Unit})",
            TextTable.Format(Comparison.Median(runs.Select(r => r.Get(m.Key)))),
            string.Join(" ", runs.Select(r => TextTable.Format(r.Get(m.Key)))),
        ]).ToList();
        double ratio = Comparison.Median(runs.Select(r => r.Get("library_eps"))) / Comparison.Median(runs.Select(r => r.Get("raw_eps")));
        rows.Add(["library / raw, ratio of the medians (%)", TextTable.Format(100 * ratio), ""]);
        var table = TextTable.Render(["figure", "median", "runs"], rows);
        return table + string.Join(Environment.NewLine, runs[0].Notes) + Environment.NewLine;
    }

    private sealed record SideResult(double HandledPerSecond, double PublishedPerSecond, double CpuMicrosPerEvent, double AllocatedBytesPerEvent, double BrokerCpuMicrosPerEvent);

    /// <summary>What a side needs: publish one event (awaiting its confirm), and stop.</summary>
    private interface ISide : IAsyncDisposable
    {
        LibraryCounter Counter { get; }

        Task PublishAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>Diagnosis only (environment WARREN_BENCH_LIBRARY_ONLY=library-amqp, say): run just that side, e.g. under a profiler; the others report zeros.</summary>
    private static readonly string? OnlySide = Environment.GetEnvironmentVariable("WARREN_BENCH_LIBRARY_ONLY");

    private static async Task<SideResult> RunSideAsync(string side, BenchSettings settings, CancellationToken cancellationToken)
    {
        if (OnlySide is not null && OnlySide != side) return new SideResult(0, 0, 0, 0, 0);
        await using ISide runner = side switch
        {
            "in-process" => await LibrarySide.StartAsync(settings, inProcess: true, cancellationToken),
            "library-amqp" => await LibrarySide.StartAsync(settings, inProcess: false, cancellationToken),
            _ => await RawSide.StartAsync(settings, cancellationToken),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        long published = 0;
        var publishers = Enumerable.Range(0, settings.Producers).Select(p => Task.Run(async () =>
        {
            int id = p;
            while (!stop.IsCancellationRequested)
            {
                await runner.Counter.Credit.WaitAsync(CancellationToken.None);
                await runner.PublishAsync(id, CancellationToken.None);
                Interlocked.Increment(ref published);
                id += settings.Producers;
            }
        }, CancellationToken.None)).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(settings.WarmupSeconds), cancellationToken);
        long handledStart = runner.Counter.Handled, publishedStart = Interlocked.Read(ref published);
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        var window = MeasurementWindow.Open(settings.BrokerPid);
        var brokerStart = ProcessStats.Sample(settings.BrokerPid);
        double cpuStart = ProcessStats.OwnCpuSeconds();
        await Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds), cancellationToken);
        window.Close();
        double cpu = ProcessStats.OwnCpuSeconds() - cpuStart;
        var brokerEnd = ProcessStats.Sample(settings.BrokerPid);
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        long handled = runner.Counter.Handled - handledStart, sent = Interlocked.Read(ref published) - publishedStart;

        stop.Cancel();
        await Task.WhenAll(publishers);
        // Everything published (and confirmed) must be handled before the side counts as done.
        runner.Counter.DrainTo(Interlocked.Read(ref published));
        var drained = await Task.WhenAny(runner.Counter.Drained.Task, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken));
        if (drained != runner.Counter.Drained.Task)
            throw new TimeoutException($"library scenario, {side}: {runner.Counter.Handled:N0} of {Interlocked.Read(ref published):N0} events handled after 60 s.");

        double seconds = window.Seconds;
        double brokerCpu = brokerStart is { } b0 && brokerEnd is { } b1 ? b1.CpuSeconds - b0.CpuSeconds : double.NaN;
        return new SideResult(handled / seconds, sent / seconds, handled > 0 ? cpu * 1e6 / handled : double.NaN,
            handled > 0 ? (double)allocated / handled : double.NaN, handled > 0 ? brokerCpu * 1e6 / handled : double.NaN);
    }

    /// <summary>One Warren.Messaging service that publishes and handles: AddWarren, WarrenBus.</summary>
    private sealed class LibrarySide : ISide
    {
        private readonly ServiceProvider _services;
        private readonly WarrenBus _bus;
        private readonly Warren.Broker.Broker? _broker;
        private readonly Uri? _uri;
        private readonly string _service;
        private readonly string _exchangePrefix;

        private LibrarySide(ServiceProvider services, WarrenBus bus, Warren.Broker.Broker? broker, Uri? uri, string service, string exchangePrefix)
        {
            _services = services;
            _bus = bus;
            _broker = broker;
            _uri = uri;
            _service = service;
            _exchangePrefix = exchangePrefix;
            Counter = services.GetRequiredService<LibraryCounter>();
        }

        public LibraryCounter Counter { get; }

        public static async Task<LibrarySide> StartAsync(BenchSettings settings, bool inProcess, CancellationToken cancellationToken)
        {
            var service = BenchAmqp.UniqueName("library");
            var broker = inProcess ? new Warren.Broker.Broker() : null;
            var services = new ServiceCollection();
            services.AddSingleton<LibraryCounter>();
            services.AddWarren(o =>
            {
                o.ServiceName = service;
                // Exchanges of its own, so that runs never see each other's events.
                o.EventsExchange = service + ".events";
                o.RequestsExchange = service + ".requests";
                o.Prefetch = settings.Prefetch;
                if (inProcess) o.UseInProcess(broker);
                else o.UseAmqp(settings.Uri);
                o.AddHandler<LibraryEventHandler>();
            });
            var provider = services.BuildServiceProvider();
            var bus = provider.GetRequiredService<WarrenBus>();
            await bus.StartAsync(cancellationToken);
            return new LibrarySide(provider, bus, broker, inProcess ? null : settings.Uri, service, service);
        }

        public Task PublishAsync(int id, CancellationToken cancellationToken) => _bus.PublishAsync(new LibraryEvent(id, "hello"), cancellationToken);

        public async ValueTask DisposeAsync()
        {
            await _bus.StopAsync();
            await _services.DisposeAsync();
            _broker?.Dispose();
            if (_uri is not null) await DeleteAsync(_uri, [_service, _service + ".error"], [_exchangePrefix + ".events", _exchangePrefix + ".requests"]);
        }
    }

    /// <summary>The same workload with RabbitMQ.Client and nothing else.</summary>
    private sealed class RawSide : ISide
    {
        private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
        private readonly IConnection _connection;
        private readonly IChannel _publisher;
        private readonly IChannel _consumer;
        private readonly Uri _uri;
        private readonly string _name;

        private RawSide(IConnection connection, IChannel publisher, IChannel consumer, Uri uri, string name)
        {
            _connection = connection;
            _publisher = publisher;
            _consumer = consumer;
            _uri = uri;
            _name = name;
        }

        public LibraryCounter Counter { get; } = new();

        private string Exchange => _name + ".events";

        public static async Task<RawSide> StartAsync(BenchSettings settings, CancellationToken cancellationToken)
        {
            var name = BenchAmqp.UniqueName("raw");
            var connection = await BenchAmqp.Factory(settings.Uri, name).CreateConnectionAsync(cancellationToken);
            // Tracked confirms, as the library's publishing channel: each publish awaits its own confirm.
            var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            var consumer = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)LibraryConcurrency), cancellationToken);
            var side = new RawSide(connection, publisher, consumer, settings.Uri, name);
            await consumer.ExchangeDeclareAsync(side.Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            await consumer.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
            await consumer.QueueBindAsync(name, side.Exchange, "bench.library.event", cancellationToken: cancellationToken);
            await consumer.BasicQosAsync(0, settings.Prefetch, global: false, cancellationToken);
            var basicConsumer = new AsyncEventingBasicConsumer(consumer);
            basicConsumer.ReceivedAsync += side.OnReceivedAsync;
            await consumer.BasicConsumeAsync(name, autoAck: false, basicConsumer, cancellationToken);
            return side;
        }

        /// <summary>
        /// Diagnosis only (environment WARREN_BENCH_RAW_LIKE_LIBRARY=1): the raw side sends the
        /// properties and headers the library's envelope carries, so that the difference left is
        /// the library's code rather than its wire format.
        /// </summary>
        private static readonly bool LikeLibrary = Environment.GetEnvironmentVariable("WARREN_BENCH_RAW_LIKE_LIBRARY") == "1";

        public async Task PublishAsync(int id, CancellationToken cancellationToken)
        {
            var properties = new BasicProperties
            {
                MessageId = Guid.NewGuid().ToString(),
                ContentType = "application/json",
                DeliveryMode = DeliveryModes.Persistent,
            };
            if (LikeLibrary)
            {
                // The envelope of an event published outside a handler (docs/messaging.md, "On the wire").
                var now = DateTimeOffset.UtcNow;
                properties.Type = "bench.library.event";
                properties.AppId = _name;
                properties.Timestamp = new AmqpTimestamp(now.ToUnixTimeSeconds());
                properties.Headers = new Dictionary<string, object?>
                {
                    ["warren-intent"] = "event",
                    ["warren-sent-time"] = now.ToUnixTimeMilliseconds(),
                };
            }
            var body = JsonSerializer.SerializeToUtf8Bytes(new LibraryEvent(id, "hello"), Json);
            await _publisher.BasicPublishAsync(Exchange, "bench.library.event", mandatory: false, properties, body, cancellationToken);
        }

        private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
        {
            var message = JsonSerializer.Deserialize<LibraryEvent>(delivery.Body.Span, Json);
            if (message is not null) Counter.Increment();
            await _consumer.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        }

        public async ValueTask DisposeAsync()
        {
            await BenchAmqp.CloseAllAsync([_connection, _publisher, _consumer]);
            await DeleteAsync(_uri, [_name], [Exchange]);
        }
    }

    private static async Task DeleteAsync(Uri uri, string[] queues, string[] exchanges)
    {
        try
        {
            await using var connection = await BenchAmqp.Factory(uri, "bench-library-cleanup").CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync();
            foreach (var queue in queues) await channel.QueueDeleteAsync(queue);
            foreach (var exchange in exchanges) await channel.ExchangeDeleteAsync(exchange);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"library scenario: could not delete {string.Join(", ", queues)}: {e.Message}");
        }
    }
}
