namespace Warren.Broker.Policies;

/// <summary>What a policy applies to (RabbitMQ 3.10's apply-to values).</summary>
public enum PolicyTarget
{
    /// <summary>"queues".</summary>
    Queues,
    /// <summary>"exchanges".</summary>
    Exchanges,
    /// <summary>"all": queues and exchanges.</summary>
    All,
}

/// <summary>
/// A policy or an operator policy: the definition applies to every queue or exchange of the
/// virtual host whose name matches the pattern; of several matching policies, the one with the
/// highest priority wins (ties: the first name in ordinal order).
/// </summary>
/// <param name="VirtualHost">The virtual host.</param>
/// <param name="Name">The policy's name.</param>
/// <param name="Pattern">A regular expression matched against entity names (unanchored, as RabbitMQ).</param>
/// <param name="ApplyTo">Queues, exchanges or both.</param>
/// <param name="Priority">Higher wins.</param>
/// <param name="Definition">Keys such as message-ttl, max-length, dead-letter-exchange; values are strings, integers (long) or booleans.</param>
public sealed record Policy(string VirtualHost, string Name, string Pattern, PolicyTarget ApplyTo, int Priority, IReadOnlyDictionary<string, object?> Definition)
{
    /// <summary>RabbitMQ's text for an apply-to value.</summary>
    public static string TargetName(PolicyTarget target) => target switch
    {
        PolicyTarget.Exchanges => "exchanges",
        PolicyTarget.All => "all",
        _ => "queues",
    };

    /// <summary>Reads an apply-to value; false for an unknown one.</summary>
    public static bool TryParseTarget(string text, out PolicyTarget target)
    {
        (var known, target) = text switch
        {
            "queues" => (true, PolicyTarget.Queues),
            "exchanges" => (true, PolicyTarget.Exchanges),
            "all" => (true, PolicyTarget.All),
            _ => (false, PolicyTarget.Queues),
        };
        return known;
    }

    /// <summary>True when this policy may apply to a queue (else to an exchange).</summary>
    public bool AppliesTo(bool queue) => ApplyTo == PolicyTarget.All || ApplyTo == (queue ? PolicyTarget.Queues : PolicyTarget.Exchanges);
}
