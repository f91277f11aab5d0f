using Warren.Bench.Measuring;
using Warren.Bench.Scenarios;

namespace Warren.Bench.Reporting;

/// <summary>
/// Runs one scenario against two brokers alternately (A, B, A, B …), so that a machine that gets
/// slower or faster during the runs affects both sides alike.
/// </summary>
public static class CompareRunner
{
    public static async Task<Comparison> RunAsync(string caseName, BenchSettings a, BenchSettings b, int runs, Action<string>? log, CancellationToken cancellationToken)
    {
        var runsA = new List<RunResult>();
        var runsB = new List<RunResult>();
        for (int i = 0; i < runs; i++)
        {
            foreach (var (settings, results, side) in new[] { (a, runsA, "A"), (b, runsB, "B") })
            {
                var result = await ScenarioRunner.RunAsync(settings, cancellationToken);
                results.Add(result);
                log?.Invoke($"run {i + 1}/{runs} {side} {caseName} on {settings.BrokerLabel}: " + Summary(result));
            }
        }
        return new Comparison(caseName, a.BrokerLabel, b.BrokerLabel, runsA, runsB);
    }

    /// <summary>The first three metrics on one line.</summary>
    public static string Summary(RunResult result) =>
        string.Join(", ", result.Metrics.Take(3).Select(m => $"{m.Label} {TextTable.Format(m.Value)} {m.Unit}"));
}
