using Microsoft.Extensions.Logging;

namespace Warren.Broker.Resources;

/// <summary>
/// Checks free disk space and memory once a second and raises or clears the alarms (RabbitMQ's
/// disk_free_limit and vm_memory_high_watermark).
/// </summary>
public sealed class ResourceMonitor : IDisposable
{
    private readonly ResourceAlarms _alarms;
    private readonly string? _dataDirectory;
    private readonly ILogger _logger;
    private readonly Timer _timer;

    /// <summary>Starts monitoring.</summary>
    public ResourceMonitor(ResourceAlarms alarms, string? dataDirectory, long diskFreeLimit, double memoryHighWatermark, ILogger logger)
    {
        _alarms = alarms;
        _dataDirectory = dataDirectory;
        _logger = logger;
        DiskFreeLimit = diskFreeLimit;
        MemoryLimit = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * memoryHighWatermark);
        Check();
        _timer = new Timer(_ => Check(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Publishing blocks when the data folder's file system has less free space (bytes); may be changed at run time.</summary>
    public long DiskFreeLimit { get; set; }

    /// <summary>Publishing blocks when the process's memory use exceeds this (bytes); may be changed at run time.</summary>
    public long MemoryLimit { get; set; }

    /// <summary>Checks now (the timer does it every second).</summary>
    public void Check()
    {
        try
        {
            if (_dataDirectory is not null)
            {
                var free = FreeSpace(_dataDirectory);
                Raise(ResourceAlarm.DiskFree, free < DiskFreeLimit, $"free disk space {free} bytes, limit {DiskFreeLimit}");
            }
            var used = Environment.WorkingSet;
            Raise(ResourceAlarm.Memory, used > MemoryLimit, $"memory use {used} bytes, high watermark {MemoryLimit}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogWarning(e, "Could not read resource use");
        }
    }

    /// <summary>
    /// Free bytes on the file system that holds <paramref name="directory"/>. A data folder that
    /// does not exist yet (a first start: storage creates it later) is measured at its nearest
    /// existing parent, which is on the file system it will be created on; statvfs on a missing
    /// path fails with DriveNotFoundException.
    /// </summary>
    internal static long FreeSpace(string directory)
    {
        var path = Path.GetFullPath(directory);
        while (!Directory.Exists(path) && Path.GetDirectoryName(path) is { } parent) path = parent;
        return new DriveInfo(path).AvailableFreeSpace;
    }

    private void Raise(ResourceAlarm alarm, bool raised, string detail)
    {
        if (_alarms.Active.HasFlag(alarm) == raised) return;
        if (raised) _logger.LogWarning("Resource alarm set: {Alarm} ({Detail}); publishers are blocked", alarm, detail);
        else _logger.LogInformation("Resource alarm cleared: {Alarm} ({Detail})", alarm, detail);
        _alarms.Set(alarm, raised);
    }

    /// <summary>Stops monitoring.</summary>
    public void Dispose() => _timer.Dispose();
}
