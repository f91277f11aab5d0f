namespace Warren.Broker.Resources;

/// <summary>Why publishing is blocked.</summary>
[Flags]
public enum ResourceAlarm
{
    /// <summary>No alarm.</summary>
    None = 0,
    /// <summary>Free disk space in the data folder's file system is below the limit.</summary>
    DiskFree = 1,
    /// <summary>The broker's memory use is above the high watermark.</summary>
    Memory = 2,
}

/// <summary>
/// The broker's resource alarms. While any is raised, protocols stop reading from connections
/// that publish (AMQP: connection.blocked) and let consumers drain; nothing is dropped.
/// </summary>
public sealed class ResourceAlarms
{
    private readonly object _sync = new();
    private ResourceAlarm _active;
    private TaskCompletionSource _cleared = NewCleared(completed: true);

    /// <summary>The raised alarms.</summary>
    public ResourceAlarm Active
    {
        get { lock (_sync) return _active; }
    }

    /// <summary>True while any alarm is raised.</summary>
    public bool IsBlocking => Active != ResourceAlarm.None;

    /// <summary>RabbitMQ-style reason text for connection.blocked.</summary>
    public string Reason => Active switch
    {
        ResourceAlarm.DiskFree => "low on disk",
        ResourceAlarm.Memory => "low on memory",
        ResourceAlarm.None => "",
        _ => "low on memory and disk",
    };

    /// <summary>Raised (true) or cleared (false) whenever the blocking state changes.</summary>
    public event Action<bool>? Changed;

    /// <summary>Raises or clears one alarm.</summary>
    public void Set(ResourceAlarm alarm, bool raised)
    {
        bool changed;
        bool blocking;
        TaskCompletionSource? release = null;
        lock (_sync)
        {
            var before = _active;
            _active = raised ? before | alarm : before & ~alarm;
            blocking = _active != ResourceAlarm.None;
            changed = (before != ResourceAlarm.None) != blocking;
            if (changed && blocking) _cleared = NewCleared(completed: false);
            if (changed && !blocking) release = _cleared;
        }
        release?.TrySetResult();
        if (changed) Changed?.Invoke(blocking);
    }

    /// <summary>Completes when no alarm is raised.</summary>
    public Task WhenClearAsync(CancellationToken cancellationToken)
    {
        Task cleared;
        lock (_sync) cleared = _cleared.Task;
        return cleared.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource NewCleared(bool completed)
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed) source.SetResult();
        return source;
    }
}
