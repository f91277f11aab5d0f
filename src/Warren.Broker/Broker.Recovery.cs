using Microsoft.Extensions.Logging;
using Warren.Broker.Parameters;
using Warren.Broker.Policies;
using Warren.Broker.Security;
using Warren.Broker.Storage;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker;

// Replaying the definitions log at start: one record at a time, in the order they were made.
public sealed partial class Broker
{
    private void Recover(DefinitionRecord record, ILogger logger)
    {
        switch (record.Op)
        {
            case "seeded+":
                break;
            case "vhost+":
                AddVirtualHost(record.VirtualHost);
                break;
            case "user+":
                // Records written before RabbitMQ-format hashes carry no algorithm: those users are dropped.
                if (record.Type is null) break;
                Users.Restore(new User(record.Name, record.PasswordHash ?? "", record.Type, record.Tags ?? [],
                    new UserLimits(LimitAt(record.Limits, 0), LimitAt(record.Limits, 1))));
                break;
            case "permission+" when record.Patterns is [var configure, var write, var read]:
                AddVirtualHost(record.VirtualHost);
                Users.RestorePermission(new Permission(record.Name, record.VirtualHost, configure, write, read));
                break;
            case "topic-permission+" when record.Patterns is [var write, var read] && record.Destination is { } exchange:
                AddVirtualHost(record.VirtualHost);
                Users.RestoreTopicPermission(new TopicPermission(record.Name, record.VirtualHost, exchange, write, read));
                break;
            case "policy+" or "operator-policy+" when record.Patterns is [var pattern, var applyTo]:
                if (!Policy.TryParseTarget(applyTo, out var target)) target = PolicyTarget.All;
                var policy = new Policy(record.VirtualHost, record.Name, pattern, target, record.Priority,
                    DefinitionRecord.DecodeArguments(record.Arguments) ?? new Dictionary<string, object?>());
                AddVirtualHost(record.VirtualHost).RestorePolicy(policy, record.Op == "operator-policy+");
                break;
            case "vhost-limits+":
                AddVirtualHost(record.VirtualHost).RestoreLimits(new VirtualHostLimits(LimitAt(record.Limits, 0), LimitAt(record.Limits, 1)));
                break;
            case "parameter+" when record.Type is { } component:
                Parameters.Restore(new Parameter(component, record.VirtualHost, record.Name, record.Value is null ? null : JsonValues.FromJson(record.Value)));
                break;
            case "global-parameter+":
                Parameters.RestoreGlobal(new GlobalParameter(record.Name, record.Value is null ? null : JsonValues.FromJson(record.Value)));
                break;
            case "exchange+" or "queue+" or "binding+":
                AddVirtualHost(record.VirtualHost).Recover(record, Storage!, logger);
                break;
            default:
                logger.LogWarning("Skipped a definitions record of unknown kind '{Op}' for '{Name}'", record.Op, record.Name);
                break;
        }
    }

    private static long? LimitAt(long?[]? limits, int index) => limits is not null && index < limits.Length ? limits[index] : null;
}
