using System.Net;

namespace Warren.Server;

/// <summary>Settings of an embedded or standalone Warren server.</summary>
public sealed record WarrenServerOptions
{
    /// <summary>The defaults: 127.0.0.1:5672, RabbitMQ's default port.</summary>
    public static WarrenServerOptions Default { get; } = new();

    /// <summary>The address to listen on. Default: loopback only.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The TCP port; 0 picks a free ephemeral port (see <see cref="WarrenServer.Port"/>).</summary>
    public int Port { get; init; } = 5672;
}
