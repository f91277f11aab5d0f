using System.Globalization;
using System.Text;
using Warren.Bench.Measuring;

namespace Warren.Bench.Reporting;

/// <summary>Plain-text tables for the console.</summary>
public static class TextTable
{
    /// <summary>A number as people read it: no more digits than it has meaning.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "-";
        if (double.IsInfinity(value)) return "∞";
        double abs = Math.Abs(value);
        string format = abs >= 1000 ? "N0" : abs >= 100 ? "F0" : abs >= 10 ? "F1" : abs >= 1 ? "F2" : "F3";
        return value.ToString(format, CultureInfo.InvariantCulture);
    }

    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        all.AddRange(rows);
        var widths = new int[header.Count];
        foreach (var row in all)
            for (int i = 0; i < row.Count; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var text = new StringBuilder();
        for (int r = 0; r < all.Count; r++)
        {
            var row = all[r];
            for (int i = 0; i < row.Count; i++)
            {
                // The first column is a label (left), the rest are numbers (right).
                text.Append(i == 0 ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]));
                if (i < row.Count - 1) text.Append("  ");
            }
            text.AppendLine();
            if (r == 0) text.AppendLine(new string('-', widths.Sum() + 2 * (widths.Length - 1)));
        }
        return text.ToString();
    }

    /// <summary>One run: metric, value, unit; then its notes.</summary>
    public static string Render(RunResult result)
    {
        var text = new StringBuilder($"{result.Scenario} on {result.Broker}{Environment.NewLine}");
        text.Append(Render(["metric", "value", "unit"], result.Metrics.Select(m => (IReadOnlyList<string>)[m.Label, Format(m.Value), m.Unit])));
        foreach (var note in result.Notes) text.AppendLine("  note: " + note);
        return text.ToString();
    }

    /// <summary>Both brokers' medians, the ratio A/B and every run.</summary>
    public static string Render(Comparison comparison)
    {
        var text = new StringBuilder($"{comparison.Case}: A = {comparison.BrokerA}, B = {comparison.BrokerB}, {comparison.RunsA.Count}+{comparison.RunsB.Count} runs alternated{Environment.NewLine}");
        var rows = comparison.Keys.Select(m => (IReadOnlyList<string>)
        [
            $"{m.Label} ({(m.Unit.Length == 0 ? "ratio" : m.Unit)})",
            Format(comparison.MedianA(m.Key)),
            Format(comparison.MedianB(m.Key)),
            Format(comparison.Ratio(m.Key)) + (m.HigherIsBetter ? " ↑" : " ↓"),
            string.Join(" ", comparison.RunsA.Select(r => Format(r.Get(m.Key)))),
            string.Join(" ", comparison.RunsB.Select(r => Format(r.Get(m.Key)))),
        ]);
        text.Append(Render(["metric", "median A", "median B", "A/B", "runs A", "runs B"], rows));
        text.AppendLine("  (↑: higher is better, ↓: lower is better)");
        foreach (var note in comparison.RunsA.SelectMany(r => r.Notes).Distinct()) text.AppendLine("  A: " + note);
        foreach (var note in comparison.RunsB.SelectMany(r => r.Notes).Distinct()) text.AppendLine("  B: " + note);
        return text.ToString();
    }
}
