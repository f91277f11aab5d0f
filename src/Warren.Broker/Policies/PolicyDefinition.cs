using Warren.Broker.Messages;
using Warren.Broker.Routing;

namespace Warren.Broker.Policies;

/// <summary>
/// The keys a policy definition may hold, their validation, and how a policy combines with a
/// queue's own x-arguments (RabbitMQ's precedence rules).
/// </summary>
public static class PolicyDefinition
{
    // Keys Warren acts on, with the x-argument each stands for.
    private static readonly Dictionary<string, string> s_queueKeys = new()
    {
        ["message-ttl"] = "x-message-ttl",
        ["expires"] = "x-expires",
        ["max-length"] = "x-max-length",
        ["max-length-bytes"] = "x-max-length-bytes",
        ["overflow"] = "x-overflow",
        ["dead-letter-exchange"] = "x-dead-letter-exchange",
        ["dead-letter-routing-key"] = "x-dead-letter-routing-key",
        ["delivery-limit"] = "x-delivery-limit",
        ["queue-mode"] = "x-queue-mode",
    };

    // Numeric limits where the smaller of the policy's and the queue's value wins (RabbitMQ's
    // res_min); for the other keys the queue's own argument wins over a policy.
    private static readonly HashSet<string> s_smallerWins = ["message-ttl", "expires", "max-length", "max-length-bytes", "delivery-limit"];

    // Keys RabbitMQ accepts that Warren stores and exports but does not act on (mirroring,
    // federation, other queue types), so definitions from RabbitMQ import.
    private static readonly HashSet<string> s_acceptedKeys =
    [
        "ha-mode", "ha-params", "ha-sync-mode", "ha-sync-batch-size", "ha-promote-on-shutdown", "ha-promote-on-failure",
        "federation-upstream", "federation-upstream-set", "queue-master-locator", "queue-version", "max-age",
        "stream-max-segment-size-bytes", "initial-cluster-size", "queue-leader-locator", "max-in-memory-length",
        "max-in-memory-bytes", "consumer-timeout",
    ];

    // The keys an operator policy may set (RabbitMQ 3.10).
    private static readonly HashSet<string> s_operatorKeys =
        ["expires", "message-ttl", "max-length", "max-length-bytes", "max-in-memory-length", "max-in-memory-bytes", "delivery-limit"];

    /// <summary>Throws 406 PRECONDITION_FAILED naming the first key or value that is not valid in a (operator) policy definition.</summary>
    public static void Validate(IReadOnlyDictionary<string, object?> definition, bool isOperatorPolicy)
    {
        if (definition.Count == 0) throw Invalid("a policy definition must not be empty");
        var unknown = new List<string>();
        foreach (var (key, value) in definition)
        {
            var known = isOperatorPolicy ? s_operatorKeys.Contains(key) : s_queueKeys.ContainsKey(key) || key == "alternate-exchange" || s_acceptedKeys.Contains(key);
            if (!known)
            {
                unknown.Add(key);
                continue;
            }
            CheckValue(key, value);
        }
        if (unknown.Count > 0) throw Invalid($"[{string.Join(",", unknown.Select(k => $"<<\"{k}\">>"))}] are not recognised policy settings");
    }

    private static void CheckValue(string key, object? value)
    {
        switch (key)
        {
            case "message-ttl" or "max-length" or "max-length-bytes" or "delivery-limit" or "max-in-memory-length" or "max-in-memory-bytes":
                if (!FieldValues.TryGetInteger(value, out var n) || n < 0) throw Invalid($"<<\"{key}\">> should be a non-negative integer but was {Show(value)}");
                break;
            case "expires":
                if (!FieldValues.TryGetInteger(value, out var e) || e < 1) throw Invalid($"<<\"{key}\">> should be a positive integer but was {Show(value)}");
                break;
            case "overflow":
                if (value is not ("drop-head" or "reject-publish" or "reject-publish-dlx")) throw Invalid($"<<\"overflow\">> has an invalid value {Show(value)}");
                break;
            case "queue-mode":
                if (value is not ("default" or "lazy")) throw Invalid($"<<\"queue-mode\">> has an invalid value {Show(value)}");
                break;
            case "dead-letter-exchange" or "dead-letter-routing-key" or "alternate-exchange":
                if (value is not string) throw Invalid($"<<\"{key}\">> should be a string but was {Show(value)}");
                break;
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"<<\"{s}\">>",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static BrokerException Invalid(string detail) => new(BrokerError.PreconditionFailed, $"Validation failed\n\n{detail}\n");

    /// <summary>
    /// What a policy and an operator policy together define for an entity (a queue shows it as
    /// effective_policy_definition): the policy's keys, with an operator policy's limit winning
    /// when it is smaller (or when the policy has none).
    /// </summary>
    public static IReadOnlyDictionary<string, object?> Effective(Policy? policy, Policy? operatorPolicy)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (policy is not null) foreach (var (key, value) in policy.Definition) result[key] = value;
        if (operatorPolicy is not null)
        {
            foreach (var (key, value) in operatorPolicy.Definition)
            {
                if (!result.TryGetValue(key, out var current) || Smaller(value, current)) result[key] = value;
            }
        }
        return result;
    }

    /// <summary>
    /// A queue's declared x-arguments combined with a policy and an operator policy, as the queue
    /// then behaves: for ttl, expiry, length limits and delivery limit the smallest value wins; for
    /// the others the queue's own argument wins over the policy.
    /// </summary>
    public static IReadOnlyDictionary<string, object?>? QueueArguments(IReadOnlyDictionary<string, object?>? declared, Policy? policy, Policy? operatorPolicy, bool isQuorum)
    {
        if (policy is null && operatorPolicy is null) return declared;
        var result = declared is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(declared);
        foreach (var source in (ReadOnlySpan<Policy?>)[policy, operatorPolicy])
        {
            if (source is null) continue;
            foreach (var (key, value) in source.Definition)
            {
                if (!s_queueKeys.TryGetValue(key, out var argument)) continue;
                // Classic queues in RabbitMQ 3.10 have no delivery limit; the key is ignored on them.
                if (key == "delivery-limit" && !isQuorum) continue;
                if (!result.TryGetValue(argument, out var current)) result[argument] = value;
                else if (s_smallerWins.Contains(key) && Smaller(value, current)) result[argument] = value;
            }
        }
        return result;
    }

    /// <summary>The alternate exchange an exchange uses: its own argument first, else its policy's.</summary>
    public static string? AlternateExchange(IReadOnlyDictionary<string, object?>? declared, Policy? policy)
    {
        if (declared is not null && declared.TryGetValue("alternate-exchange", out var own) && FieldValues.TryGetString(own, out var name)) return name;
        return policy is not null && policy.Definition.TryGetValue("alternate-exchange", out var fromPolicy) && fromPolicy is string text ? text : null;
    }

    private static bool Smaller(object? candidate, object? current) =>
        FieldValues.TryGetInteger(candidate, out var a) && (!FieldValues.TryGetInteger(current, out var b) || a < b);
}
