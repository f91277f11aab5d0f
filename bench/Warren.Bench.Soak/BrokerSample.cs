using System.Globalization;

namespace Warren.Bench.Soak;

/// <summary>What the broker process holds at one instant.</summary>
/// <param name="RssBytes">Resident set size (VmRSS).</param>
/// <param name="GcHeapBytes">The managed heap after the last collection (GCMemoryInfo.HeapSizeBytes).</param>
/// <param name="Threads">Threads of the process.</param>
/// <param name="FileDescriptors">Open file descriptors (sockets and files).</param>
public readonly record struct BrokerSample(long RssBytes, long GcHeapBytes, int Threads, int FileDescriptors)
{
    /// <summary>Measures this process (the broker child calls it on itself).</summary>
    public static BrokerSample OfThisProcess()
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
            else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
        }
        return new BrokerSample(rss, GC.GetGCMemoryInfo().HeapSizeBytes, threads, Directory.GetFileSystemEntries("/proc/self/fd").Length);

        static long Kilobytes(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>One line of the child's protocol: "sample RSS HEAP THREADS FDS".</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture, $"sample {RssBytes} {GcHeapBytes} {Threads} {FileDescriptors}");

    /// <summary>Parses <see cref="ToLine"/>.</summary>
    public static BrokerSample Parse(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 5 || parts[0] != "sample") throw new FormatException($"not a sample line: '{line}'");
        return new BrokerSample(
            long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
            int.Parse(parts[3], CultureInfo.InvariantCulture), int.Parse(parts[4], CultureInfo.InvariantCulture));
    }
}
