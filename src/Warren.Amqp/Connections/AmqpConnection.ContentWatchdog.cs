namespace Warren.Amqp.Connections;

// A published message whose body never comes: after basic.publish and a content header the
// channel waits for body frames, holding what arrived. A timer, started with the connection's
// first content, looks every quarter of the timeout for a channel whose content made no progress
// for ContentTimeout; it only wakes the read loop (CancelPendingRead), which owns the channels
// and closes the stalled ones with 406.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The watchdog ends with the connection: RunAsync stops it.")]
public sealed partial class AmqpConnection
{
    private Timer? _contentWatchdog;
    private volatile bool _contentCheckDue;

    /// <summary>Called by a channel when a content starts: makes sure the watchdog runs.</summary>
    internal void WatchContent()
    {
        if (_contentWatchdog is not null) return;
        var period = Options.ContentTimeout / 4;
        _contentWatchdog = new Timer(static state => ((AmqpConnection)state!).OnContentWatchdog(), this, period, period);
    }

    private void OnContentWatchdog()
    {
        if (_blocked) return; // not reading on purpose: the clocks restart when reading does
        var stalledBefore = Environment.TickCount64 - (long)Options.ContentTimeout.TotalMilliseconds;
        lock (_channels)
        {
            foreach (var channel in _channels.Values)
            {
                var progress = channel.ContentProgressTicks;
                if (progress == 0 || progress > stalledBefore) continue;
                _contentCheckDue = true;
                _transport.Input.CancelPendingRead();
                return;
            }
        }
    }

    // On the read loop.
    private void FailStalledContent()
    {
        _contentCheckDue = false;
        var stalledBefore = Environment.TickCount64 - (long)Options.ContentTimeout.TotalMilliseconds;
        Channels.AmqpChannel[] channels;
        lock (_channels) channels = [.. _channels.Values];
        foreach (var channel in channels)
        {
            var progress = channel.ContentProgressTicks;
            if (progress != 0 && progress <= stalledBefore) channel.FailStalledContent(Options.ContentTimeout);
        }
    }

    private void RestartContentClocks()
    {
        lock (_channels)
        {
            foreach (var channel in _channels.Values) channel.RestartContentClock();
        }
    }

    private void StopContentWatchdog() => _contentWatchdog?.Dispose();
}
