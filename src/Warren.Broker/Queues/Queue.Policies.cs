using Warren.Broker.Policies;

namespace Warren.Broker.Queues;

// The policy and operator policy applied to this queue, and the arguments it then runs with.
public sealed partial class Queue
{
    /// <summary>The name of the policy applied, or null (the management API's "policy").</summary>
    public string? PolicyName { get; private set; }

    /// <summary>The name of the operator policy applied, or null.</summary>
    public string? OperatorPolicyName { get; private set; }

    /// <summary>The policy's and operator policy's definition combined (the management API's "effective_policy_definition").</summary>
    public IReadOnlyDictionary<string, object?> EffectivePolicyDefinition { get; private set; } = new Dictionary<string, object?>();

    /// <summary>
    /// Applies a policy and an operator policy (either may be null) on top of the declared
    /// arguments; takes effect at once: a shorter length limit drops (or dead-letters) the excess
    /// head, a new expiry re-arms the idle timer. Message TTL applies to messages enqueued from now.
    /// </summary>
    internal void ApplyPolicies(Policy? policy, Policy? operatorPolicy)
    {
        if (policy?.Name == PolicyName && operatorPolicy?.Name == OperatorPolicyName
            && ReferenceEquals(policy, _appliedPolicy) && ReferenceEquals(operatorPolicy, _appliedOperatorPolicy)) return;
        var merged = PolicyDefinition.QueueArguments(Settings.Arguments, policy, operatorPolicy, Arguments.IsQuorum);
        QueueArguments effective;
        try
        {
            effective = QueueArguments.Parse(merged, Name, VirtualHostName, Settings.Durable);
        }
        catch (BrokerException)
        {
            // A policy that cannot combine with this queue's arguments leaves the queue as declared.
            effective = QueueArguments.Parse(Settings.Arguments, Name, VirtualHostName, Settings.Durable);
        }
        List<DeadLetter>? deadLetters = null;
        lock (_sync)
        {
            _appliedPolicy = policy;
            _appliedOperatorPolicy = operatorPolicy;
            PolicyName = policy?.Name;
            OperatorPolicyName = operatorPolicy?.Name;
            EffectivePolicyDefinition = PolicyDefinition.Effective(policy, operatorPolicy);
            var expiresChanged = effective.Expires != Arguments.Expires;
            Arguments = effective with { MaxPriority = Arguments.MaxPriority };
            if (IsDeleted) return;
            if (expiresChanged)
            {
                if (effective.Expires is null) _expiresTimer?.Change(Timeout.Infinite, Timeout.Infinite);
                else TouchForExpiry();
            }
            if (effective.MaxLength is not null || effective.MaxLengthBytes is not null) DropHeadWhileOverLimit(ref deadLetters);
        }
        if (deadLetters is not null) Host.DeadLetter(this, deadLetters);
    }

    private Policy? _appliedPolicy;
    private Policy? _appliedOperatorPolicy;
}
