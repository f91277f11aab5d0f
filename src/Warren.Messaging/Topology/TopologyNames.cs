using System.Collections.Concurrent;

namespace Warren.Messaging.Topology;

/// <summary>
/// The names of the exchanges and queues of one system on a broker: <see cref="TopologyConventions"/>'
/// names with the system prefix (<see cref="Configuration.WarrenOptions.SystemPrefix"/>) before
/// them, joined with a dot. Without a prefix the names are the conventions' own.
/// </summary>
public sealed class TopologyNames
{
    // Command queue names by command name; used only with a prefix, so that sending builds each name once.
    private readonly ConcurrentDictionary<string, string> _commandQueues = new(StringComparer.Ordinal);

    /// <summary>Names for the system <paramref name="systemPrefix"/> ("" for none).</summary>
    public TopologyNames(string systemPrefix)
    {
        if (systemPrefix.Length > 0 && !IsValidPrefix(systemPrefix))
        {
            throw new ArgumentException($"System prefix '{systemPrefix}' may contain only letters, digits, '.', '-' and '_', and may not start or end with '.'.", nameof(systemPrefix));
        }
        SystemPrefix = systemPrefix;
    }

    /// <summary>No prefix: the conventions' names.</summary>
    public static TopologyNames Default { get; } = new("");

    /// <summary>The prefix ("" for none).</summary>
    public string SystemPrefix { get; }

    /// <summary>An exchange's name (<c>warren.events</c> → <c>shop.warren.events</c>).</summary>
    public string Exchange(string name) => Prefixed(name);

    /// <summary>The queue of a service, shared by its instances.</summary>
    public string ServiceQueue(string service) => Prefixed(service);

    /// <summary>The error queue of a service.</summary>
    public string ErrorQueue(string service) => Prefixed(TopologyConventions.ErrorQueue(service));

    /// <summary>The reply queue of one instance.</summary>
    public string ReplyQueue(string service, string instance) => Prefixed(TopologyConventions.ReplyQueue(service, instance));

    /// <summary>The queue of one instance for per-instance events and requests.</summary>
    public string InstanceQueue(string service, string instance) => Prefixed(TopologyConventions.InstanceQueue(service, instance));

    /// <summary>The queue that owns a command.</summary>
    public string CommandQueue(string commandName) => SystemPrefix.Length == 0
        ? TopologyConventions.CommandQueue(commandName)
        : _commandQueues.GetOrAdd(commandName, static (name, prefix) => prefix + "." + TopologyConventions.CommandQueue(name), SystemPrefix);

    private string Prefixed(string name) => SystemPrefix.Length == 0 ? name : SystemPrefix + "." + name;

    internal static bool IsValidPrefix(string prefix)
    {
        if (prefix.Length is 0 or > 100 || prefix[0] == '.' || prefix[^1] == '.') return false;
        foreach (var c in prefix)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')) return false;
        }
        return true;
    }
}
