using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Connections;

namespace Warren.Amqp.Listening.Tls;

/// <summary>
/// The server side of TLS for every endpoint of a server: the current certificate (reloaded from
/// disk on <see cref="Reload"/> or when its files change), TLS 1.2 and 1.3 only, and the check of
/// client certificates against the CA file. The AMQPS listener asks it for the options of each
/// handshake; an HTTPS endpoint can do the same (Kestrel's <c>TlsHandshakeCallbackOptions</c>).
/// </summary>
public sealed partial class TlsContext : IDisposable
{
    // TLS 1.0 and 1.1 are refused, as RabbitMQ's defaults since 3.8 do.
    private const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly ILogger _logger;
    private readonly Lock _reloading = new();
    private volatile Credentials _current;

    /// <summary>Loads the files named by <paramref name="options"/>; throws when they cannot be read.</summary>
    public TlsContext(TlsOptions options, ILogger logger)
    {
        options.Validate();
        Options = options;
        _logger = logger;
        _current = Credentials.Load(options);
        _logger.LogInformation("TLS certificate: {Certificate}", _current.Describe());
        if (options.WatchFiles) StartWatching();
    }

    /// <summary>The settings it was made with.</summary>
    public TlsOptions Options { get; }

    /// <summary>The certificate presented to new connections.</summary>
    public X509Certificate2 Certificate => _current.Certificate;

    /// <summary>Raised after a reload put a new certificate (or CA file) in use.</summary>
    public event Action? Reloaded;

    /// <summary>Options for one server-side handshake, with the certificate current at this moment.</summary>
    public SslServerAuthenticationOptions CreateServerOptions()
    {
        var current = _current;
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = current.Context,
            EnabledSslProtocols = Protocols,
            AllowRenegotiation = false,
            ClientCertificateRequired = Options.Verify == TlsPeerVerification.Peer,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = CheckClientCertificate,
        };
        if (current.Authorities is { } authorities)
        {
            // Client certificates chain to the CA file only, not to the machine's trust store.
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(authorities);
            options.CertificateChainPolicy = policy;
        }
        return options;
    }

    // RabbitMQ's verify_peer: a certificate that is sent must verify; none at all is refused only
    // with fail_if_no_peer_cert. With verify_none no certificate is asked for.
    private bool CheckClientCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Options.Verify == TlsPeerVerification.None) return true;
        if (certificate is null) return !Options.FailIfNoPeerCertificate;
        if (errors == SslPolicyErrors.None) return true;
        var status = chain is null ? "" : string.Join(", ", chain.ChainStatus.Select(s => s.Status));
        _logger.LogInformation("Refused a client certificate ({Subject}): {Errors} {Status}", certificate.Subject, errors, status);
        return false;
    }

    /// <summary>What a finished handshake established, for the AMQP session (which knows nothing of TLS).</summary>
    public TransportSecurity Describe(SslStream stream)
    {
        var protocol = stream.SslProtocol switch
        {
            SslProtocols.Tls13 => "tlsv1.3",
            SslProtocols.Tls12 => "tlsv1.2",
            var other => other.ToString(),
        };
        X509Certificate2? peer = null;
        if (Options.Verify == TlsPeerVerification.Peer && stream.RemoteCertificate is { } remote)
        {
            peer = remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
        }
        return new TransportSecurity(protocol, stream.NegotiatedCipherSuite.ToString(),
            peer?.Subject, peer?.Issuer, peer is null ? null : CommonName(peer));
    }

    /// <summary>The first common name (CN) of the subject, as rabbitmq_auth_mechanism_ssl reads it; null when there is none.</summary>
    public static string? CommonName(X509Certificate2 certificate)
    {
        // Not GetNameInfo(SimpleName): that falls back to the e-mail address or other names, which must not log anyone in.
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.GetSingleElementType().Value == "2.5.4.3") return rdn.GetSingleElementValue();
        }
        return null;
    }

    /// <summary>
    /// Reads the files again and uses them for new connections; open connections keep theirs.
    /// When the files cannot be read, the current certificate stays and the error is logged.
    /// </summary>
    /// <returns>True when the new files are in use.</returns>
    public bool Reload()
    {
        lock (_reloading)
        {
            Credentials loaded;
            try
            {
                loaded = Credentials.Load(Options);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                _logger.LogError("TLS reload failed, the previous certificate stays in use: {Error}", e.Message);
                return false;
            }
            _current = loaded;
            _logger.LogInformation("TLS certificate reloaded: {Certificate}", loaded.Describe());
        }
        Reloaded?.Invoke();
        return true;
    }

    /// <summary>Stops watching the files.</summary>
    public void Dispose() => StopWatching();
}
