namespace Warren.Server.Configuration;

/// <summary>
/// Every setting of the <c>warren</c> server, one line each. To add one: a line here and a
/// property on <see cref="WarrenServerOptions"/>; the flag, the config-file key, the
/// environment variable, --help and the unknown-key check follow from it.
/// </summary>
public static class ServerOptions
{
    /// <summary>The table.</summary>
    public static IReadOnlyList<ServerOption> All { get; } =
    [
        ServerOption.Int("--port", "TCP port for AMQP clients (0: any free port; default 5672)", 0, 65535, (o, v) => o with { Port = v }),
        ServerOption.Address("--bind", "Address to listen on (default 127.0.0.1)", (o, v) => o with { BindAddress = v }),
        ServerOption.Text("--data-dir", $"Folder for definitions and persistent messages (default {WarrenServerOptions.DefaultDataDirectory})", (o, v) => o with { DataDirectory = Path.GetFullPath(v) }),
        ServerOption.Switch("--in-memory", "Keep everything in memory; nothing survives a restart", (o, v) => v ? o with { DataDirectory = null } : o, order: 1),
        ServerOption.Long("--disk-free-limit", "Block publishers below this many free bytes on the data disk (default 50000000)", 0, long.MaxValue, (o, v) => o with { DiskFreeLimit = v }),
        ServerOption.Double("--memory-high-watermark", "Block publishers above this fraction of the machine's memory (default 0.4)", double.Epsilon, 1, (o, v) => o with { MemoryHighWatermark = v }),
        ServerOption.Int("--max-connections", "Refuse connections beyond this many (default unlimited)", 1, int.MaxValue, (o, v) => o with { Amqp = o.Amqp with { MaxConnections = v } }),
        ServerOption.Long("--frame-max", "Largest frame offered to clients, in bytes (default 131072)", 4096, uint.MaxValue, (o, v) => o with { Amqp = o.Amqp with { FrameMax = (uint)v } }),
        ServerOption.Int("--channel-max", "Most channels per connection (default 2047)", 1, ushort.MaxValue, (o, v) => o with { Amqp = o.Amqp with { ChannelMax = (ushort)v } }),
        ServerOption.Int("--heartbeat", "Heartbeat interval offered to clients, in seconds; 0 disables (default 60)", 0, ushort.MaxValue, (o, v) => o with { Amqp = o.Amqp with { Heartbeat = (ushort)v } }),
        ServerOption.Int("--max-message-size", "Largest message body accepted, in bytes (default 134217728)", 1, int.MaxValue, (o, v) => o with { Amqp = o.Amqp with { MaxMessageSize = v } }),
        ServerOption.Text("--default-user", "User created on a fresh data folder, an administrator (default guest; env also WARREN_DEFAULT_USER)", (o, v) => o with { DefaultUser = v }),
        ServerOption.Text("--default-pass", "The default user's password (default guest; env also WARREN_DEFAULT_PASS)", (o, v) => o with { DefaultPassword = v }),
        ServerOption.Int("--management-port", "Port of the management HTTP API; 0 turns it off (default 15672)", 0, 65535, (o, v) => o with { ManagementPort = v == 0 ? null : v }),
        ServerOption.Address("--management-bind", "Address of the management HTTP API and the Prometheus endpoint (default: --bind)", (o, v) => o with { ManagementBindAddress = v }),
        ServerOption.Int("--prometheus-port", "Port of the Prometheus metrics endpoint; 0 turns it off (default 15692)", 0, 65535, (o, v) => o with { PrometheusPort = v == 0 ? null : v }),
        ServerOption.Text("--definitions", "A RabbitMQ definitions JSON file imported at start, like load_definitions", (o, v) => o with { DefinitionsFile = Path.GetFullPath(v) }),
    ];
}
