namespace Warren.Bench.Measuring;

/// <summary>One figure of a run.</summary>
/// <param name="Key">Stable machine name, e.g. <c>throughput</c>.</param>
/// <param name="Label">What the table shows.</param>
/// <param name="HigherIsBetter">Direction, for reading ratios: throughput up, latency and CPU down.</param>
public sealed record Metric(string Key, string Label, double Value, string Unit, bool HigherIsBetter);

/// <summary>What one scenario run against one broker measured.</summary>
public sealed record RunResult(string Scenario, string Broker, DateTimeOffset Started, IReadOnlyList<Metric> Metrics, IReadOnlyList<string> Notes)
{
    /// <summary>The value of <paramref name="key"/>, NaN when this run has no such metric.</summary>
    public double Get(string key) => Metrics.FirstOrDefault(m => m.Key == key)?.Value ?? double.NaN;
}
