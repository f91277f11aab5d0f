using System.Net;

namespace Warren.Broker.Security;

/// <summary>
/// Failed logins per client address, so that a burst of guesses from one address is slowed: past
/// a few free failures in a minute, each refusal is answered later, the delay doubling up to a
/// bound. Shared by every listener of a broker (AMQP, AMQPS, the HTTP API). RabbitMQ has no such
/// delay; it changes only how soon a refused client hears of it, never the answer.
/// </summary>
public sealed class LoginFailures
{
    // Bounds the table against an attacker cycling through addresses (IPv6 makes that cheap).
    private const int MaxTracked = 10_000;

    private readonly Dictionary<IPAddress, Entry> _byAddress = [];
    private readonly Lock _sync = new();

    /// <summary>Failures from one address that are answered at once (per <see cref="Window"/>). Default 3.</summary>
    public int FreeFailures { get; init; } = 3;

    /// <summary>The delay after the first failure past the free ones; it doubles with each further one. Default 250 ms.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest delay. Default 5 s (half of the 10 s handshake timeout, so the refusal still arrives).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an address's failures are remembered after its last one. Default 60 s.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Counts a failed login from <paramref name="address"/>.</summary>
    /// <returns>How long to wait before answering it, and how many failures the address has in the window.</returns>
    public (TimeSpan Delay, int Failures) Record(IPAddress address, long nowTicks = -1)
    {
        if (nowTicks < 0) nowTicks = Environment.TickCount64;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        int failures;
        lock (_sync)
        {
            if (_byAddress.Count >= MaxTracked) Prune(nowTicks);
            _byAddress.TryGetValue(address, out var entry);
            failures = nowTicks - entry.LastTicks > Window.TotalMilliseconds ? 1 : entry.Count + 1;
            _byAddress[address] = new Entry(failures, nowTicks);
        }
        return (DelayFor(failures), failures);
    }

    /// <summary>The delay for the <paramref name="failures"/>-th failure in a window.</summary>
    public TimeSpan DelayFor(int failures)
    {
        var beyond = failures - FreeFailures;
        if (beyond <= 0) return TimeSpan.Zero;
        var delay = FirstDelay * Math.Pow(2, Math.Min(beyond - 1, 30));
        return delay < MaxDelay ? delay : MaxDelay;
    }

    private void Prune(long nowTicks)
    {
        foreach (var (address, entry) in _byAddress)
        {
            if (nowTicks - entry.LastTicks > Window.TotalMilliseconds) _byAddress.Remove(address);
        }
        // Still full of recent failures: forget them all rather than grow; delays restart from zero.
        if (_byAddress.Count >= MaxTracked) _byAddress.Clear();
    }

    private readonly record struct Entry(int Count, long LastTicks);
}
