using System.Net;
using Warren.Amqp.Connections;
using Warren.Amqp.Listening.Tls;

namespace Warren.Server;

/// <summary>Settings of an embedded or standalone Warren server.</summary>
public sealed record WarrenServerOptions
{
    /// <summary>The defaults: 127.0.0.1:5672, RabbitMQ's default port, RabbitMQ's protocol limits.</summary>
    public static WarrenServerOptions Default { get; } = new();

    /// <summary>The address to listen on. Default: loopback only.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free ephemeral port (see <see cref="WarrenServer.Port"/>).</summary>
    public int Port { get; init; } = 5672;

    /// <summary>
    /// The data folder for durable definitions and persistent messages. Null (the default for an
    /// embedded server) keeps everything in memory; the <c>warren</c> executable defaults to
    /// <see cref="DefaultDataDirectory"/>.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The user's data folder for Warren: ~/.local/share/warren on Linux, %LOCALAPPDATA%\warren on Windows.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "warren");

    /// <summary>Publishing blocks when the data folder's disk has less free space (bytes; RabbitMQ's default 50 MB).</summary>
    public long DiskFreeLimit { get; init; } = Broker.BrokerOptions.Default.DiskFreeLimit;

    /// <summary>Publishing blocks past this fraction of the machine's memory (RabbitMQ's default 0.4).</summary>
    public double MemoryHighWatermark { get; init; } = Broker.BrokerOptions.Default.MemoryHighWatermark;

    /// <summary>The user created on a fresh data folder (or in memory), an administrator with every permission on "/" (RabbitMQ's default_user).</summary>
    public string DefaultUser { get; init; } = "guest";

    /// <summary>The default user's password (RabbitMQ's default_pass).</summary>
    public string DefaultPassword { get; init; } = "guest";

    /// <summary>A RabbitMQ definitions JSON file imported at start (RabbitMQ's load_definitions); null: none.</summary>
    public string? DefinitionsFile { get; init; }

    /// <summary>
    /// The management HTTP API's port (RabbitMQ's is 15672); 0 picks a free port; null (the
    /// default for an embedded server, so tests and applications do not collide on ports) turns
    /// it off. The <c>warren</c> executable defaults to 15672.
    /// </summary>
    public int? ManagementPort { get; init; }

    /// <summary>The management API's address; null: the AMQP <see cref="BindAddress"/>.</summary>
    public IPAddress? ManagementBindAddress { get; init; }

    /// <summary>The Prometheus endpoint's port (RabbitMQ's is 15692); 0 picks a free port; null (the embedded default) turns it off.</summary>
    public int? PrometheusPort { get; init; }

    /// <summary>Protocol limits offered to clients.</summary>
    public AmqpOptions Amqp { get; init; } = AmqpOptions.Default;

    /// <summary>Whether the plain (non-TLS) listener on <see cref="Port"/> runs. Default true; false needs <see cref="Tls"/>.</summary>
    public bool EnablePlainListener { get; init; } = true;

    /// <summary>
    /// The server's certificate and client-certificate checks; when set, an AMQPS listener runs on
    /// <see cref="TlsPort"/> beside the plain one. Null (the default): no TLS.
    /// </summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>The AMQPS port (RabbitMQ's usual 5671); 0 picks a free port. Used only with <see cref="Tls"/>.</summary>
    public int TlsPort { get; init; } = 5671;

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be between 0 and 65535 (0: any free port).");
        if (string.IsNullOrEmpty(DefaultUser)) throw new ArgumentException("DefaultUser must not be empty.", nameof(DefaultUser));
        if (DefinitionsFile is not null && !File.Exists(DefinitionsFile)) throw new ArgumentException($"DefinitionsFile '{DefinitionsFile}' not found.", nameof(DefinitionsFile));

        if (ManagementPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(ManagementPort), ManagementPort, "ManagementPort must be between 0 and 65535 (0: any free port), or null for off.");
        if (PrometheusPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(PrometheusPort), PrometheusPort, "PrometheusPort must be between 0 and 65535 (0: any free port), or null for off.");
        if (TlsPort is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(TlsPort), TlsPort, "TlsPort must be between 0 and 65535 (0: any free port).");
        if (!EnablePlainListener && Tls is null) throw new ArgumentException("EnablePlainListener = false needs Tls: the server would listen nowhere.", nameof(EnablePlainListener));
        Tls?.Validate();
        Amqp.Validate();
    }
}
