using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Warren.Broker.Exchanges;
using Warren.Broker.Policies;
using Warren.Broker.Queues;
using Warren.Broker.Storage;

namespace Warren.Broker.VirtualHosts;

// Policies and operator policies: which one applies to each queue and exchange, re-applied to
// every existing entity when a policy changes (RabbitMQ applies them at once).
public sealed partial class VirtualHost
{
    private sealed record CompiledPolicy(Policy Policy, Regex Pattern);

    private readonly ConcurrentDictionary<string, CompiledPolicy> _policies = new();
    private readonly ConcurrentDictionary<string, CompiledPolicy> _operatorPolicies = new();

    /// <summary>The policies (a snapshot).</summary>
    public IReadOnlyCollection<Policy> Policies => _policies.Values.Select(p => p.Policy).ToArray();

    /// <summary>The operator policies (a snapshot).</summary>
    public IReadOnlyCollection<Policy> OperatorPolicies => _operatorPolicies.Values.Select(p => p.Policy).ToArray();

    /// <summary>Adds or replaces a policy and applies it to existing queues and exchanges; 406 for an invalid pattern or definition.</summary>
    public void SetPolicy(Policy policy) => SetPolicy(_policies, policy, isOperator: false);

    /// <summary>Deletes a policy; false when there was none.</summary>
    public bool DeletePolicy(string name) => DeletePolicy(_policies, name, isOperator: false);

    /// <summary>Adds or replaces an operator policy (only limits: ttl, expires, lengths, delivery limit); applied at once.</summary>
    public void SetOperatorPolicy(Policy policy) => SetPolicy(_operatorPolicies, policy, isOperator: true);

    /// <summary>Deletes an operator policy; false when there was none.</summary>
    public bool DeleteOperatorPolicy(string name) => DeletePolicy(_operatorPolicies, name, isOperator: true);

    private void SetPolicy(ConcurrentDictionary<string, CompiledPolicy> policies, Policy policy, bool isOperator)
    {
        if (string.IsNullOrEmpty(policy.Name)) throw new BrokerException(BrokerError.PreconditionFailed, "policy name must not be empty");
        if (policy.VirtualHost != Name) policy = policy with { VirtualHost = Name };
        PolicyDefinition.Validate(policy.Definition, isOperator);
        var pattern = Security.UserStore.Compile(policy.Pattern, "pattern");
        lock (_topology)
        {
            policies[policy.Name] = new CompiledPolicy(policy, pattern);
            LogPolicy(policy, isOperator, added: true);
            ReapplyPoliciesLocked();
        }
    }

    private bool DeletePolicy(ConcurrentDictionary<string, CompiledPolicy> policies, string name, bool isOperator)
    {
        lock (_topology)
        {
            if (!policies.TryRemove(name, out var removed)) return false;
            LogPolicy(removed.Policy, isOperator, added: false);
            ReapplyPoliciesLocked();
            return true;
        }
    }

    private void ReapplyPoliciesLocked()
    {
        foreach (var queue in _queues.Values) ApplyPolicies(queue);
        foreach (var exchange in _exchanges.Values) ApplyPolicies(exchange);
    }

    private void ApplyPolicies(Queue queue)
    {
        // Server-named direct reply-to queues and other internal queues carry no arguments to combine; they are left alone.
        queue.ApplyPolicies(Match(_policies, queue.Name, isQueue: true), Match(_operatorPolicies, queue.Name, isQueue: true));
    }

    private void ApplyPolicies(Exchange exchange)
    {
        if (exchange.Name.Length == 0) return;
        exchange.ApplyPolicy(Match(_policies, exchange.Name, isQueue: false));
    }

    // The highest-priority match wins; ties go to the first name in ordinal order, so the choice
    // does not depend on the order policies were made.
    private static Policy? Match(ConcurrentDictionary<string, CompiledPolicy> policies, string name, bool isQueue)
    {
        if (policies.IsEmpty) return null;
        Policy? best = null;
        foreach (var (_, compiled) in policies)
        {
            var policy = compiled.Policy;
            if (!policy.AppliesTo(isQueue) || !compiled.Pattern.IsMatch(name)) continue;
            if (best is null || policy.Priority > best.Priority
                || policy.Priority == best.Priority && string.CompareOrdinal(policy.Name, best.Name) < 0)
            {
                best = policy;
            }
        }
        return best;
    }

    private void LogPolicy(Policy policy, bool isOperator, bool added)
    {
        if (_storage is null || _recoveringPolicies) return;
        var op = (isOperator ? "operator-policy" : "policy") + (added ? "+" : "-");
        _storage.Definitions.Append(new DefinitionRecord(op, Name, policy.Name)
        {
            Patterns = added ? [policy.Pattern, Policy.TargetName(policy.ApplyTo)] : null,
            Priority = policy.Priority,
            Arguments = added ? DefinitionRecord.EncodeArguments(policy.Definition) : null,
        });
    }

    private bool _recoveringPolicies;

    /// <summary>Puts back a policy read from the data folder (not logged again).</summary>
    internal void RestorePolicy(Policy policy, bool isOperator)
    {
        _recoveringPolicies = true;
        try
        {
            SetPolicy(isOperator ? _operatorPolicies : _policies, policy, isOperator);
        }
        finally
        {
            _recoveringPolicies = false;
        }
    }
}
