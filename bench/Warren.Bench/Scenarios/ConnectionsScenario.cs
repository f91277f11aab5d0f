using System.Diagnostics;
using RabbitMQ.Client;
using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>
/// Opens <see cref="BenchSettings.Connections"/> idle connections one after another: connect time
/// percentiles, and (with the broker's pid) the broker's memory per open connection.
/// </summary>
internal static class ConnectionsScenario
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    public static async Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var factory = BenchAmqp.Factory(settings.Uri, "bench-connections");
        var connections = new List<IConnection>(settings.Connections);
        var latency = new LatencyHistogram();
        var notes = new List<string>();
        try
        {
            // One connection first: whatever a broker sets up lazily on the first one is not per connection.
            connections.Add(await factory.CreateConnectionAsync(cancellationToken));
            await Task.Delay(500, cancellationToken);
            long? rss0 = settings.BrokerPid is { } pid ? ProcessStats.ReadRss(pid) : null;
            var window = MeasurementWindow.Open(settings.BrokerPid);
            int opened = settings.Connections - 1;
            for (int i = 0; i < opened; i++)
            {
                long start = Stopwatch.GetTimestamp();
                // A broker out of file descriptors leaves the socket in the kernel's accept queue and
                // never answers the handshake: fail the run instead of waiting for ever.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(ConnectTimeout);
                try
                {
                    connections.Add(await factory.CreateConnectionAsync(timeout.Token));
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or TimeoutException or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
                {
                    throw new InvalidOperationException(
                        $"the broker accepted {connections.Count} connections, then connection {connections.Count + 1} did not open within {ConnectTimeout.TotalSeconds} s "
                        + "(its open-file limit? RabbitMQ logs 'Limiting to approx N file handles (M sockets)')", e);
                }
                latency.RecordSince(start);
            }
            double seconds = window.Seconds;
            await Task.Delay(1000, cancellationToken);
            window.Close();
            long? rss1 = settings.BrokerPid is { } pid1 ? ProcessStats.ReadRss(pid1) : null;

            var metrics = new List<Metric>
            {
                new("connects_per_s", "connections opened/s", opened / seconds, "conn/s", true),
                new("connect_p50_us", "connect p50", latency.PercentileMicroseconds(50), "µs", false),
                new("connect_p99_us", "connect p99", latency.PercentileMicroseconds(99), "µs", false),
            };
            if (rss0 is { } before && rss1 is { } after)
                metrics.Add(new Metric("kb_per_connection", "broker memory per connection", (after - before) / 1024.0 / opened, "KiB", false));
            window.AddCpuAndMemory(metrics, opened, notes);
            notes.Add($"{settings.Connections} idle connections, opened one at a time; CPU per 1M is per connection here");
            return new RunResult("connections", settings.BrokerLabel, DateTimeOffset.Now, metrics, notes);
        }
        finally
        {
            // Close in parallel batches: a thousand sequential closes take long on a busy machine.
            foreach (var batch in connections.Chunk(50))
            {
                await Task.WhenAll(batch.Select(CloseAsync));
            }
        }
    }

    private static async Task CloseAsync(IConnection connection)
    {
        try
        {
            await connection.CloseAsync(TimeSpan.FromSeconds(5));
            await connection.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Closing after the measurement: a broker that drops connections already showed it.
        }
    }
}
