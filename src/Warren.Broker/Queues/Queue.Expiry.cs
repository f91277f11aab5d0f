using System.Globalization;
using Warren.Broker.Messages;

namespace Warren.Broker.Queues;

// Message TTL (x-message-ttl and the expiration property) and queue TTL (x-expires).
public sealed partial class Queue
{
    private Timer? _headTimer;
    private long _headTimerDue;
    private Timer? _expiresTimer;
    private long _lastUsed;

    /// <summary>When a message published now expires here: the smaller of the queue's and the message's TTL; 0 never.</summary>
    private long ExpiryOf(Message message)
    {
        long? ttl = Arguments.MessageTtl;
        if (message.Properties.Expiration is { } expiration
            && long.TryParse(expiration, NumberStyles.None, CultureInfo.InvariantCulture, out var perMessage))
        {
            ttl = ttl is null ? perMessage : Math.Min(ttl.Value, perMessage);
        }
        // TickCount64 is positive, so 0 stays free to mean "never".
        return ttl is null ? 0 : Environment.TickCount64 + ttl.Value;
    }

    /// <summary>
    /// Expired messages leave from the head only, as in RabbitMQ: a message behind one with a
    /// longer TTL waits for it. A timer handles heads that expire while nothing else happens.
    /// </summary>
    /// <remarks>
    /// Just before a delivery attempt a message expiring this very millisecond still goes out
    /// (TTL 0: "now or never"); otherwise, <paramref name="inclusive"/>, it is gone.
    /// </remarks>
    private void ExpireHead(ref List<DeadLetter>? deadLetters, bool inclusive = true)
    {
        var now = Environment.TickCount64;
        while (_ready.Count > 0)
        {
            var expiresAt = _ready.PeekFront().ExpiresAt;
            if (expiresAt == 0) return;
            if (expiresAt > now || (!inclusive && expiresAt == now))
            {
                ScheduleHeadExpiry(expiresAt);
                return;
            }
            Discard(ref deadLetters, DeadLetterReason.Expired);
        }
    }

    private void ScheduleHeadExpiry(long dueAt)
    {
        if (_headTimer is not null && _headTimerDue != 0 && _headTimerDue <= dueAt) return;
        _headTimerDue = dueAt;
        var delay = TimeSpan.FromMilliseconds(Math.Max(0, dueAt - Environment.TickCount64));
        if (_headTimer is null) _headTimer = new Timer(static state => ((Queue)state!).OnHeadTimer(), this, delay, Timeout.InfiniteTimeSpan);
        else _headTimer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnHeadTimer()
    {
        List<DeadLetter>? deadLetters = null;
        lock (_sync)
        {
            _headTimerDue = 0;
            if (IsDeleted) return;
            ExpireHead(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
    }

    /// <summary>Marks the queue used now (declare, get, consume, cancel): x-expires counts from the last use.</summary>
    internal void TouchForExpiry()
    {
        if (Arguments.Expires is not { } expires) return;
        _lastUsed = Environment.TickCount64;
        _expiresTimer ??= new Timer(static state => ((Queue)state!).OnExpiresTimer(), this, Timeout.Infinite, Timeout.Infinite);
        _expiresTimer.Change(TimeSpan.FromMilliseconds(expires), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Called when a redeclaration uses the queue.</summary>
    public void MarkUsed()
    {
        lock (_sync) TouchForExpiry();
    }

    private void OnExpiresTimer()
    {
        lock (_sync)
        {
            if (IsDeleted || Arguments.Expires is not { } expires) return;
            var idle = Environment.TickCount64 - _lastUsed;
            if (_consumers.Count > 0 || idle < expires)
            {
                _expiresTimer!.Change(TimeSpan.FromMilliseconds(Math.Max(1, expires - idle)), Timeout.InfiniteTimeSpan);
                return;
            }
        }
        Host.DeleteQueue(this);
    }

    private void StopTimers()
    {
        _headTimer?.Dispose();
        _headTimer = null;
        _expiresTimer?.Dispose();
        _expiresTimer = null;
    }
}
