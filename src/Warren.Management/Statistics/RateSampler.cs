using System.Runtime.CompilerServices;
using Warren.Broker.Clients;
using Warren.Broker.Queues;
using Warren.Broker.Statistics;

namespace Warren.Management.Statistics;

/// <summary>
/// Turns counters into rates every few seconds, off the hot path: each tick reads every queue's,
/// exchange's and channel's counters once and keeps the difference to the tick before. Sums
/// (virtual hosts, connections, the overview) are sampled as sums.
/// </summary>
internal sealed class RateSampler : IAsyncDisposable
{
    private readonly Broker.Broker _broker;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly ConditionalWeakTable<Queue, DepthSample> _depths = new();
    private readonly ConditionalWeakTable<IClientConnection, ConnectionSample> _connections = new();
    private Dictionary<string, MessageRates> _virtualHosts = new();
    private MessageRates? _overview;
    private readonly DepthSample _overviewDepth = new();
    private long _lastTicks = Environment.TickCount64;

    public RateSampler(Broker.Broker broker, TimeSpan interval)
    {
        _broker = broker;
        _interval = interval;
        _loop = RunAsync(_stopping.Token);
    }

    public MessageRates? Overview => _overview;

    public DepthSample OverviewDepth => _overviewDepth;

    public MessageRates? VirtualHost(string name) => _virtualHosts.GetValueOrDefault(name);

    public DepthSample? Depth(Queue queue) => _depths.TryGetValue(queue, out var sample) ? sample : null;

    public ConnectionSample? Connection(IClientConnection connection) => _connections.TryGetValue(connection, out var sample) ? sample : null;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            Sample();
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false)) Sample();
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    /// <summary>One tick; public so tests and benchmarks can sample without waiting.</summary>
    public void Sample()
    {
        var now = Environment.TickCount64;
        var seconds = Math.Max(0.001, (now - _lastTicks) / 1000.0);
        _lastTicks = now;
        var hosts = new Dictionary<string, MessageRates>();
        MessageStats total = default;
        long ready = 0, unacked = 0;
        var channelsByHost = StatsAggregation.LiveChannelStats(_broker);
        foreach (var host in _broker.VirtualHosts)
        {
            foreach (var exchange in host.Exchanges) Update(exchange.Stats, seconds);
            foreach (var queue in host.Queues)
            {
                Update(queue.Stats, seconds);
                var depth = _depths.GetOrCreateValue(queue);
                var r = queue.MessageCount;
                var u = queue.UnackedCount;
                depth.Update(r, u, seconds);
                ready += r;
                unacked += u;
            }
            var hostStats = host.ClosedChannelStats.Read() + channelsByHost.GetValueOrDefault(host.Name);
            hosts[host.Name] = MessageRates.Next(_virtualHosts.GetValueOrDefault(host.Name), hostStats, seconds);
            total += hostStats;
        }
        foreach (var connection in _broker.Clients.Connections)
        {
            MessageStats sum = default;
            foreach (var channel in connection.Channels)
            {
                Update(channel.Stats, seconds);
                sum += channel.Stats.Read();
            }
            _connections.GetOrCreateValue(connection).Update(sum, connection.BytesReceived, connection.BytesSent, seconds);
        }
        _virtualHosts = hosts;
        _overview = MessageRates.Next(_overview, total, seconds);
        var overviewDepth = _overviewDepth;
        overviewDepth.Update(ready, unacked, seconds);
    }

    private static void Update(MessageCounters counters, double seconds) =>
        counters.Rates = MessageRates.Next(counters.Rates, counters.Read(), seconds);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }
}

/// <summary>Queue depth (ready, unacknowledged) and its rate of change.</summary>
internal sealed class DepthSample
{
    public long Ready { get; private set; }
    public long Unacked { get; private set; }
    public double ReadyRate { get; private set; }
    public double UnackedRate { get; private set; }
    private bool _sampled;

    public void Update(long ready, long unacked, double seconds)
    {
        if (_sampled)
        {
            ReadyRate = Math.Round((ready - Ready) / seconds, 1);
            UnackedRate = Math.Round((unacked - Unacked) / seconds, 1);
        }
        Ready = ready;
        Unacked = unacked;
        _sampled = true;
    }
}

/// <summary>A connection's summed channel counts and byte rates.</summary>
internal sealed class ConnectionSample
{
    public MessageRates? Rates { get; private set; }
    public long Received { get; private set; }
    public long Sent { get; private set; }
    public double ReceivedRate { get; private set; }
    public double SentRate { get; private set; }

    public void Update(in MessageStats stats, long received, long sent, double seconds)
    {
        if (Rates is not null)
        {
            ReceivedRate = Math.Round((received - Received) / seconds, 1);
            SentRate = Math.Round((sent - Sent) / seconds, 1);
        }
        Rates = MessageRates.Next(Rates, stats, seconds);
        Received = received;
        Sent = sent;
    }
}

/// <summary>Sums of live channels' counters per virtual host.</summary>
internal static class StatsAggregation
{
    public static Dictionary<string, MessageStats> LiveChannelStats(Broker.Broker broker)
    {
        var sums = new Dictionary<string, MessageStats>();
        foreach (var connection in broker.Clients.Connections)
        {
            if (connection.VirtualHost is not { } host) continue;
            var sum = sums.GetValueOrDefault(host);
            foreach (var channel in connection.Channels) sum += channel.Stats.Read();
            sums[host] = sum;
        }
        return sums;
    }

    /// <summary>A virtual host's message counts now: its closed channels' plus its live ones'.</summary>
    public static MessageStats VirtualHost(Broker.Broker broker, Broker.VirtualHosts.VirtualHost host, Dictionary<string, MessageStats>? live = null)
    {
        live ??= LiveChannelStats(broker);
        return host.ClosedChannelStats.Read() + live.GetValueOrDefault(host.Name);
    }
}
