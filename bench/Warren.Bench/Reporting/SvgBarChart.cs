using System.Globalization;
using System.Net;
using System.Text;

namespace Warren.Bench.Reporting;

/// <summary>
/// A horizontal grouped bar chart as a standalone SVG: one row per measure, one bar per broker.
/// Each row is scaled to its own largest value (rows mix msg/s and round trips/s), and every bar
/// carries its number, so the chart reads as "who is ahead, by how much" and the figures stay exact.
/// </summary>
public sealed class SvgBarChart(string title, IReadOnlyList<string> series)
{
    private const int Width = 820;
    private const int LabelWidth = 250;
    private const int BarArea = 430;
    private const int BarHeight = 16;
    private const int BarGap = 3;
    private const int RowGap = 14;
    private const int Top = 62;
    private static readonly string[] Colors = ["#2f6fb0", "#e8832a", "#5aa469", "#b05a9b"];

    private readonly List<(string Label, string Unit, double[] Values)> _rows = [];

    /// <summary>A caption under the chart (what "better" means here).</summary>
    public string? Caption { get; init; }

    /// <summary>Adds a row; NaN values are drawn as "n/a".</summary>
    public SvgBarChart Add(string label, string unit, params double[] values)
    {
        if (values.Length != series.Count) throw new ArgumentException($"a row needs {series.Count} values, one per series", nameof(values));
        _rows.Add((label, unit, values));
        return this;
    }

    public string Render()
    {
        int rowHeight = (series.Count * (BarHeight + BarGap)) - BarGap + RowGap;
        int height = Top + (_rows.Count * rowHeight) + 36;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{height}" viewBox="0 0 {Width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{Width}" height="{height}" fill="white"/>""").Append('\n');
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="12" y="24" font-size="16" font-weight="bold">{Escape(title)}</text>""").Append('\n');
        for (int s = 0; s < series.Count; s++)
        {
            int x = 12 + (s * 160);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="36" width="12" height="12" fill="{Colors[s % Colors.Length]}"/><text x="{x + 18}" y="46">{Escape(series[s])}</text>""").Append('\n');
        }

        for (int r = 0; r < _rows.Count; r++)
        {
            var (label, unit, values) = _rows[r];
            int y = Top + (r * rowHeight);
            double max = values.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max();
            int groupHeight = rowHeight - RowGap;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth - 8}" y="{y + (groupHeight / 2) + 4}" text-anchor="end">{Escape(label)}</text>""").Append('\n');
            for (int s = 0; s < values.Length; s++)
            {
                int barY = y + (s * (BarHeight + BarGap));
                double value = values[s];
                double length = double.IsNaN(value) || max <= 0 ? 0 : Math.Max(1, BarArea * value / max);
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{barY}" width="{length:F1}" height="{BarHeight}" fill="{Colors[s % Colors.Length]}"/>""");
                string text = double.IsNaN(value) ? "n/a" : $"{TextTable.Format(value)} {unit}";
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + length + 5:F1}" y="{barY + BarHeight - 4}">{Escape(text)}</text>""").Append('\n');
            }
        }

        if (Caption is not null)
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="12" y="{height - 12}" fill="#555">{Escape(Caption)}</text>""").Append('\n');
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
