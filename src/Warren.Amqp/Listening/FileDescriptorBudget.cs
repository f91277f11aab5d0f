namespace Warren.Amqp.Listening;

/// <summary>
/// How many sockets the process may hold without running out of file descriptors. The runtime
/// itself needs descriptors (mapping code, loading files, the data folder): a process at its
/// limit once died with "Out of memory.", so clients get the limit less a reserve, shared by every
/// listener of the process (the limit is the process's). Unlimited where the limit is unknown.
/// </summary>
internal static class FileDescriptorBudget
{
    private static readonly int s_budget = Compute();
    private static int s_inUse;

    /// <summary>Sockets clients may hold at once.</summary>
    public static int Budget => s_budget;

    /// <summary>Client sockets open now, in every listener of the process.</summary>
    public static int InUse => Volatile.Read(ref s_inUse);

    public static bool IsExhausted => InUse >= s_budget;

    public static void Acquire() => Interlocked.Increment(ref s_inUse);

    public static void Release() => Interlocked.Decrement(ref s_inUse);

    private static int Compute()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return int.MaxValue;
            // "Max open files            1024                 524288               files"
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var fields = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields is null || fields.Length == 0 || !int.TryParse(fields[0], out var limit)) return int.MaxValue; // "unlimited"
            var open = Directory.GetFileSystemEntries("/proc/self/fd").Length;
            // A quarter (at least 64) stays for the runtime and the data folder.
            return Math.Max(1, limit - open - Math.Max(64, limit / 4));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return int.MaxValue;
        }
    }
}
