using System.CommandLine;
using System.Globalization;
using Warren.Amqp.Connections;
using Warren.Amqp.Listening.Tls;

namespace Warren.Server.Cli;

/// <summary>The command-line options for TLS, authentication and handshakes, and how they map onto <see cref="WarrenServerOptions"/>.</summary>
internal sealed class SecurityArguments
{
    private readonly Option<int?> _tlsPort = new("--tls-port") { Description = "AMQPS (TLS) port, usually 5671; TLS is on when this or a certificate is given (0: any free port)" };
    private readonly Option<string?> _tlsCert = new("--tls-cert") { Description = "Server certificate, PEM (the leaf, then any intermediates; may hold the key)" };
    private readonly Option<string?> _tlsKey = new("--tls-key") { Description = "Private key of --tls-cert, PEM" };
    private readonly Option<string?> _tlsPfx = new("--tls-pfx") { Description = "Server certificate with its key, PKCS#12 (.pfx/.p12), instead of --tls-cert/--tls-key" };
    private readonly Option<string?> _tlsPassword = new("--tls-password") { Description = "Password of --tls-pfx or of an encrypted --tls-key (prefer --tls-password-file)" };
    private readonly Option<string?> _tlsPasswordFile = new("--tls-password-file") { Description = "File whose first line is that password" };
    private readonly Option<string?> _tlsCa = new("--tls-ca") { Description = "CA certificates (PEM) that client certificates must chain to" };
    private readonly Option<string> _tlsVerify = new("--tls-verify") { Description = "peer: ask clients for a certificate and verify it; none: do not ask", DefaultValueFactory = _ => "none" };
    private readonly Option<bool> _failIfNoPeerCert = new("--tls-fail-if-no-peer-cert") { Description = "With --tls-verify peer: refuse clients without a certificate" };
    private readonly Option<double> _handshakeTimeout = new("--handshake-timeout") { Description = "Seconds a connection may take to finish the AMQP handshake", DefaultValueFactory = _ => AmqpOptions.Default.HandshakeTimeout.TotalSeconds };
    private readonly Option<int> _maxHandshaking = new("--max-handshaking-connections") { Description = "Most connections in their handshake at once, per listener; the oldest is closed past it", DefaultValueFactory = _ => AmqpOptions.Default.MaxHandshakingConnections };
    private readonly Option<string> _authMechanisms = new("--auth-mechanisms") { Description = "SASL mechanisms offered, comma-separated: PLAIN, AMQPLAIN, EXTERNAL", DefaultValueFactory = _ => string.Join(',', AmqpOptions.Default.AuthMechanisms) };

    public void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { _tlsPort, _tlsCert, _tlsKey, _tlsPfx, _tlsPassword, _tlsPasswordFile, _tlsCa, _tlsVerify, _failIfNoPeerCert, _handshakeTimeout, _maxHandshaking, _authMechanisms })
            root.Options.Add(option);
    }

    /// <summary>The options with these settings; <paramref name="error"/> names what is wrong instead.</summary>
    public WarrenServerOptions Apply(ParseResult parsed, WarrenServerOptions options, out string? error)
    {
        error = null;
        var verify = parsed.GetValue(_tlsVerify)?.ToLowerInvariant() switch
        {
            "none" or "verify_none" => TlsPeerVerification.None,
            "peer" or "verify_peer" => TlsPeerVerification.Peer,
            _ => (TlsPeerVerification?)null,
        };
        if (verify is null)
        {
            error = $"--tls-verify: '{parsed.GetValue(_tlsVerify)}' is not one of: peer, none.";
            return options;
        }
        var seconds = parsed.GetValue(_handshakeTimeout);
        if (seconds <= 0 || double.IsNaN(seconds))
        {
            error = $"--handshake-timeout: {seconds.ToString(CultureInfo.InvariantCulture)} must be a positive number of seconds.";
            return options;
        }
        options = options with
        {
            Amqp = options.Amqp with
            {
                HandshakeTimeout = TimeSpan.FromSeconds(seconds),
                MaxHandshakingConnections = parsed.GetValue(_maxHandshaking),
                AuthMechanisms = parsed.GetValue(_authMechanisms)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(m => m.ToUpperInvariant()).ToArray(),
            },
        };
        var port = parsed.GetValue(_tlsPort);
        var certificate = parsed.GetValue(_tlsCert);
        var pfx = parsed.GetValue(_tlsPfx);
        if (port is null && certificate is null && pfx is null) return options;
        if (certificate is null && pfx is null)
        {
            error = "--tls-port needs a server certificate: --tls-cert (and --tls-key) or --tls-pfx.";
            return options;
        }
        var password = parsed.GetValue(_tlsPassword);
        if (parsed.GetValue(_tlsPasswordFile) is { } passwordFile)
        {
            try
            {
                password = File.ReadLines(passwordFile).FirstOrDefault() ?? "";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = $"--tls-password-file: {e.Message}";
                return options;
            }
        }
        return options with
        {
            TlsPort = port ?? 5671,
            // "--port 0" with TLS: AMQPS only (without TLS it still means any free port).
            EnablePlainListener = options.Port != 0,
            Tls = new TlsOptions
            {
                CertificateFile = Full(certificate),
                KeyFile = Full(parsed.GetValue(_tlsKey)),
                PfxFile = Full(pfx),
                Password = password,
                CaFile = Full(parsed.GetValue(_tlsCa)),
                Verify = verify.Value,
                FailIfNoPeerCertificate = parsed.GetValue(_failIfNoPeerCert),
            },
        };
    }

    private static string? Full(string? path) => path is null ? null : Path.GetFullPath(path);
}
