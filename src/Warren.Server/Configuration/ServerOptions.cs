using Warren.Amqp.Connections;
using Warren.Amqp.Listening.Tls;

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
        // TLS is on once any --tls-* setting is given; it then needs a certificate. "--port 0" with TLS: AMQPS only.
        ServerOption.Int("--tls-port", "AMQPS (TLS) port (default 5671 once TLS is configured; 0: any free port)", 0, 65535, (o, v) => WithTls(o, t => t) with { TlsPort = v }),
        ServerOption.Text("--tls-cert", "Server certificate, PEM: the leaf, then any intermediates; may hold the key", (o, v) => WithTls(o, t => t with { CertificateFile = Path.GetFullPath(v) })),
        ServerOption.Text("--tls-key", "Private key of --tls-cert, PEM", (o, v) => WithTls(o, t => t with { KeyFile = Path.GetFullPath(v) })),
        ServerOption.Text("--tls-pfx", "Server certificate with its key, PKCS#12 (.pfx/.p12), instead of --tls-cert/--tls-key", (o, v) => WithTls(o, t => t with { PfxFile = Path.GetFullPath(v) })),
        ServerOption.Text("--tls-password", "Password of --tls-pfx or of an encrypted --tls-key (prefer --tls-password-file)", (o, v) => WithTls(o, t => t with { Password = v })),
        ServerOption.Text("--tls-password-file", "A file whose first line is that password", (o, v) => WithTls(o, t => t with { Password = FirstLine(v) })),
        ServerOption.Text("--tls-ca", "CA certificates (PEM) that client certificates must chain to", (o, v) => WithTls(o, t => t with { CaFile = Path.GetFullPath(v) })),
        ServerOption.Text("--tls-verify", "peer: ask clients for a certificate and verify it; none: do not ask (default)", (o, v) => WithTls(o, t => t with { Verify = Verification(v) })),
        ServerOption.Switch("--tls-fail-if-no-peer-cert", "With --tls-verify peer: refuse clients that send no certificate", (o, v) => WithTls(o, t => t with { FailIfNoPeerCertificate = v })),
        ServerOption.Double("--handshake-timeout", "Seconds a connection may take to finish the AMQP handshake (default 10)", 0.001, 86400, (o, v) => o with { Amqp = o.Amqp with { HandshakeTimeout = TimeSpan.FromSeconds(v) } }),
        ServerOption.Int("--max-handshaking-connections", "Most connections in their handshake at once, per listener; past it the oldest is closed (default 1000)", 1, int.MaxValue, (o, v) => o with { Amqp = o.Amqp with { MaxHandshakingConnections = v } }),
        ServerOption.Text("--auth-mechanisms", "SASL mechanisms offered, comma-separated, of PLAIN, AMQPLAIN, EXTERNAL (default PLAIN,AMQPLAIN)", (o, v) => o with { Amqp = o.Amqp with { AuthMechanisms = Mechanisms(v) } }),
    ];

    private static WarrenServerOptions WithTls(WarrenServerOptions options, Func<TlsOptions, TlsOptions> change) =>
        options with { Tls = change(options.Tls ?? new TlsOptions()) };

    private static TlsPeerVerification Verification(string text) => text.ToLowerInvariant() switch
    {
        "none" or "verify_none" => TlsPeerVerification.None,
        "peer" or "verify_peer" => TlsPeerVerification.Peer,
        _ => throw new FormatException($"'{text}' is not one of: peer, none"),
    };

    private static string[] Mechanisms(string text)
    {
        var names = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m => m.ToUpperInvariant()).ToArray();
        var unknown = names.Where(m => !AmqpOptions.Mechanisms.All.Contains(m)).ToArray();
        if (names.Length == 0 || unknown.Length > 0)
            throw new FormatException($"'{text}' must name one or more of {string.Join(", ", AmqpOptions.Mechanisms.All)}");
        return names;
    }

    private static string FirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException(e.Message);
        }
    }
}
