using Warren.Management.Security;
using Warren.Management.Statistics;

namespace Warren.Management;

/// <summary>What every API handler reads: the broker, its users, the rate sampler and how the node describes itself.</summary>
internal sealed class ManagementContext(Broker.Broker broker, ManagementOptions options, RateSampler sampler)
{
    public Broker.Broker Broker { get; } = broker;

    public ManagementOptions Options { get; } = options;

    public ApiUsers Users { get; } = new(broker);

    public RateSampler Sampler { get; } = sampler;

    /// <summary>The node's name, RabbitMQ-style: warren@host.</summary>
    public string NodeName { get; } = $"warren@{Environment.MachineName}";

    /// <summary>The product version (the assembly's informational version without the commit).</summary>
    public static string Version { get; } =
        (typeof(ManagementContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>The management listener's real port, once bound.</summary>
    public int ManagementPort { get; set; }

    /// <summary>The Prometheus listener's real port, once bound (0: off).</summary>
    public int PrometheusPort { get; set; }
}
