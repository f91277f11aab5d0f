namespace Warren.Amqp.Listening;

/// <summary>
/// Keeps one kind of event from flooding the log: the first of a burst is logged, the rest are
/// counted and reported with the next one logged, at most once per <paramref name="interval"/>.
/// (A flood of 20,000 sockets once wrote 242,000 warnings in 20 s.)
/// </summary>
internal sealed class BurstLog(TimeSpan interval)
{
    private readonly Lock _sync = new();
    private long _lastLoggedTicks = long.MinValue / 2;
    private int _suppressed;

    /// <summary>True when this event is to be logged; <paramref name="suppressed"/> counts those skipped since the last one logged.</summary>
    public bool ShouldLog(out int suppressed)
    {
        var now = Environment.TickCount64;
        lock (_sync)
        {
            if (now - _lastLoggedTicks >= interval.TotalMilliseconds)
            {
                suppressed = _suppressed;
                _suppressed = 0;
                _lastLoggedTicks = now;
                return true;
            }
            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
