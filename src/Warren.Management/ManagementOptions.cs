using System.Net;

namespace Warren.Management;

/// <summary>Where the management HTTP API and the Prometheus endpoint listen.</summary>
public sealed record ManagementOptions
{
    /// <summary>RabbitMQ's ports: 15672 for the API, 15692 for Prometheus, on loopback.</summary>
    public static ManagementOptions Default { get; } = new();

    /// <summary>The API's address.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The API's port; 0 picks a free port; null turns the API off.</summary>
    public int? Port { get; init; } = 15672;

    /// <summary>The Prometheus endpoint's address (RabbitMQ listens on the same interfaces as the API).</summary>
    public IPAddress? PrometheusBindAddress { get; init; }

    /// <summary>The Prometheus endpoint's port; 0 picks a free port; null turns it off.</summary>
    public int? PrometheusPort { get; init; } = 15692;

    /// <summary>How often message rates are sampled (RabbitMQ's collect_statistics_interval is 5 s).</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The AMQP listeners to report in the overview and the listener health checks (the server fills it in).</summary>
    public IReadOnlyList<ListenerInfo> AmqpListeners { get; init; } = [];

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "The management port must be between 0 and 65535 (0: any free port), or null for off.");
        if (PrometheusPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(PrometheusPort), PrometheusPort, "The Prometheus port must be between 0 and 65535 (0: any free port), or null for off.");
        if (SampleInterval < TimeSpan.FromMilliseconds(100)) throw new ArgumentOutOfRangeException(nameof(SampleInterval), SampleInterval, "The sample interval must be at least 100 ms.");
    }
}

/// <summary>A protocol listener as the overview shows it.</summary>
/// <param name="Protocol">RabbitMQ's name: amqp, amqp/ssl.</param>
/// <param name="Address">The bound address.</param>
/// <param name="Port">The bound port.</param>
public sealed record ListenerInfo(string Protocol, string Address, int Port);
