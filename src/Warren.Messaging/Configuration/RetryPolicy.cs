namespace Warren.Messaging.Configuration;

/// <summary>The retry decision for one handler, built once at start from the global, per-message and per-handler settings.</summary>
internal sealed class RetryPolicy
{
    private readonly ExceptionRetryRule[] _rules;

    private RetryPolicy(int immediate, TimeSpan[] delays, ExceptionRetryRule[] rules)
    {
        Immediate = immediate;
        Delays = delays;
        _rules = rules;
    }

    /// <summary>Immediate retries when no rule matches.</summary>
    public int Immediate { get; }

    /// <summary>Delayed retries when no rule matches.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; }

    /// <summary>The handler's rules first, then the message type's, then the global ones.</summary>
    public static RetryPolicy From(RetryOptions counts, RetryOptions global, ExceptionRetryRule[]? handlerRules, ExceptionRetryRule[]? messageRules) =>
        new(counts.Immediate, counts.Delays.ToArray(), [.. handlerRules ?? [], .. messageRules ?? [], .. global.Rules]);

    /// <summary>How often <paramref name="failure"/> is retried: the first rule it matches, else the counts.</summary>
    public (int Immediate, IReadOnlyList<TimeSpan> Delays) Decide(Exception failure)
    {
        foreach (var rule in _rules)
        {
            if (rule.ExceptionType.IsInstanceOfType(failure)) return (rule.Immediate, rule.Delays);
        }
        return (Immediate, Delays);
    }
}
