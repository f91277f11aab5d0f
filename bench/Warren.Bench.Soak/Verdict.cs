namespace Warren.Bench.Soak;

/// <summary>
/// Flat or growing, by one rule: the least-squares slope of each figure over the last 20 minutes
/// (the last two thirds of a shorter run), times the length of that window, is the growth the
/// trend predicts over it; a figure grows when that exceeds its allowance.
/// </summary>
public static class Verdict
{
    /// <summary>One figure's trend.</summary>
    public readonly record struct Trend(string Name, double SlopePerMinute, double Growth, double Allowance, string Unit)
    {
        public bool Growing => Growth > Allowance;
    }

    /// <summary>Allowances: RSS and GC heap max(16 MiB, 10 % of their mean over the window); threads 4; file descriptors 8.</summary>
    public static IReadOnlyList<Trend> Judge(IReadOnlyList<BrokerSample> perMinute)
    {
        var window = Window(perMinute);
        const double MiB = 1024 * 1024;
        return
        [
            Of("RSS", window, s => s.RssBytes / MiB, mean => Math.Max(16, mean * 0.10), "MiB"),
            Of("GC heap", window, s => s.GcHeapBytes / MiB, mean => Math.Max(16, mean * 0.10), "MiB"),
            Of("threads", window, s => s.Threads, _ => 4, ""),
            Of("file descriptors", window, s => s.FileDescriptors, _ => 8, ""),
        ];
    }

    /// <summary>The samples the verdict looks at.</summary>
    public static IReadOnlyList<BrokerSample> Window(IReadOnlyList<BrokerSample> perMinute)
    {
        var length = perMinute.Count >= 30 ? 20 : Math.Max(2, perMinute.Count * 2 / 3);
        length = Math.Min(length, perMinute.Count);
        return perMinute.Skip(perMinute.Count - length).ToArray();
    }

    private static Trend Of(string name, IReadOnlyList<BrokerSample> window, Func<BrokerSample, double> value, Func<double, double> allowance, string unit)
    {
        var n = window.Count;
        if (n < 2) return new Trend(name, 0, 0, allowance(n == 1 ? value(window[0]) : 0), unit);
        double meanX = (n - 1) / 2.0, meanY = window.Average(value);
        double covariance = 0, variance = 0;
        for (var i = 0; i < n; i++)
        {
            covariance += (i - meanX) * (value(window[i]) - meanY);
            variance += (i - meanX) * (i - meanX);
        }
        var slope = covariance / variance;
        return new Trend(name, slope, slope * (n - 1), allowance(meanY), unit);
    }
}
