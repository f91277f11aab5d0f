using Warren.Bench.Measuring;

namespace Warren.Bench.Reporting;

/// <summary>The runs of one scenario against two brokers, alternated A, B, A, B …</summary>
public sealed record Comparison(string Case, string BrokerA, string BrokerB, IReadOnlyList<RunResult> RunsA, IReadOnlyList<RunResult> RunsB)
{
    /// <summary>The metrics both sides measured, in the order the first run lists them.</summary>
    public IEnumerable<Metric> Keys => RunsA.Concat(RunsB).FirstOrDefault()?.Metrics ?? [];

    public double MedianA(string key) => Median(RunsA.Select(r => r.Get(key)));

    public double MedianB(string key) => Median(RunsB.Select(r => r.Get(key)));

    /// <summary>Median of A over median of B.</summary>
    public double Ratio(string key) => MedianA(key) / MedianB(key);

    /// <summary>The median ignoring runs that lack the value; NaN when none has it.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
