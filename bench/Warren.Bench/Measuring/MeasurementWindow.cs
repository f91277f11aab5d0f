using System.Diagnostics;

namespace Warren.Bench.Measuring;

/// <summary>
/// The steady-state window of a run: opened after the warm-up, closed at the end; turns the
/// broker's and this process's CPU, and the broker's memory, into per-message figures.
/// </summary>
public sealed class MeasurementWindow
{
    private readonly int? _brokerPid;
    private readonly long _startTimestamp;
    private readonly double _startOwnCpu;
    private readonly ProcessSample? _startBroker;
    private long _endTimestamp;
    private double _endOwnCpu;
    private ProcessSample? _endBroker;

    private MeasurementWindow(int? brokerPid)
    {
        _brokerPid = brokerPid;
        _startBroker = ProcessStats.Sample(brokerPid);
        _startOwnCpu = ProcessStats.OwnCpuSeconds();
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>Opens a window now.</summary>
    public static MeasurementWindow Open(int? brokerPid) => new(brokerPid);

    /// <summary>Seconds from opening to closing (or to now while open).</summary>
    public double Seconds => Stopwatch.GetElapsedTime(_startTimestamp, _endTimestamp == 0 ? Stopwatch.GetTimestamp() : _endTimestamp).TotalSeconds;

    /// <summary>The broker's resident memory when the window opened, in bytes (null without a pid).</summary>
    public long? StartBrokerRss => _startBroker?.RssBytes;

    /// <summary>Closes the window now.</summary>
    public void Close()
    {
        _endTimestamp = Stopwatch.GetTimestamp();
        _endOwnCpu = ProcessStats.OwnCpuSeconds();
        _endBroker = ProcessStats.Sample(_brokerPid);
    }

    /// <summary>
    /// The broker's CPU seconds per million <paramref name="messages"/>, its CPU use and memory,
    /// and this process's CPU per message; appended to <paramref name="metrics"/>.
    /// </summary>
    public void AddCpuAndMemory(List<Metric> metrics, long messages, List<string> notes)
    {
        double ownCpu = _endOwnCpu - _startOwnCpu;
        double seconds = Seconds;
        double brokerCpu = double.NaN;
        if (_startBroker is { } start && _endBroker is { } end)
        {
            brokerCpu = end.CpuSeconds - start.CpuSeconds;
            metrics.Add(new Metric("broker_cpu_s_per_m", "broker CPU per 1M msgs", messages > 0 ? brokerCpu / (messages / 1e6) : double.NaN, "s", false));
            metrics.Add(new Metric("broker_cpu_pct", "broker CPU", 100 * brokerCpu / seconds, "% core", false));
            metrics.Add(new Metric("broker_rss_mb", "broker RSS", end.RssBytes / 1048576.0, "MiB", false));
        }
        metrics.Add(new Metric("client_cpu_us_per_msg", "client CPU per msg", messages > 0 ? ownCpu * 1e6 / messages : double.NaN, "µs", false));
        metrics.Add(new Metric("client_cpu_pct", "client CPU", 100 * ownCpu / seconds, "% core", false));
        int cores = Environment.ProcessorCount;
        // With the load generator on the same machine, whichever side saturates its share of the
        // cores bounds the figure; a client that burns more CPU than the broker is the likely bound.
        if (!double.IsNaN(brokerCpu) && ownCpu > brokerCpu && ownCpu / seconds > 0.5)
            notes.Add($"client-bound: the client used {100 * ownCpu / seconds:F0}% of a core, the broker {100 * brokerCpu / seconds:F0}% ({cores} cores)");
        else if (double.IsNaN(brokerCpu) && ownCpu / seconds > 0.9)
            notes.Add($"the client used {100 * ownCpu / seconds:F0}% of a core: it may be the bound (give --broker-pid to compare)");
    }
}
