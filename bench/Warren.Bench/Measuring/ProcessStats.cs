using System.Globalization;

namespace Warren.Bench.Measuring;

/// <summary>CPU time and resident memory of a process at one instant, read from /proc.</summary>
public readonly record struct ProcessSample(double CpuSeconds, long RssBytes, long Timestamp);

/// <summary>Reads another process's CPU and memory (the broker's), and this process's own CPU.</summary>
public static class ProcessStats
{
    // USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every mainstream Linux build.
    private const double ClockTicksPerSecond = 100;

    /// <summary>The broker's sample, or null when no pid was given or /proc cannot be read.</summary>
    public static ProcessSample? Sample(int? pid)
    {
        if (pid is not { } id) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            // The command name (field 2) may hold spaces: the fixed fields start after its ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            double ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcessSample(ticks / ClockTicksPerSecond, ReadRss(id), System.Diagnostics.Stopwatch.GetTimestamp());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>VmRSS of <paramref name="pid"/> in bytes.</summary>
    public static long ReadRss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
            return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>This process's CPU time (user + system) in seconds.</summary>
    public static double OwnCpuSeconds()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }
}
