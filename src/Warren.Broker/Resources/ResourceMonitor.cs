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
                var free = new DriveInfo(Path.GetFullPath(_dataDirectory)).AvailableFreeSpace;
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
