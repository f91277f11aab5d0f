namespace Warren.Amqp.Listening.Tls;

/// <summary>Whether the server asks clients for a certificate (RabbitMQ's <c>ssl_options.verify</c>).</summary>
public enum TlsPeerVerification
{
    /// <summary>No client certificate is asked for (<c>verify_none</c>, RabbitMQ's default).</summary>
    None,

    /// <summary>A client certificate is asked for and, when one is sent, must chain to the CA file (<c>verify_peer</c>).</summary>
    Peer,
}

/// <summary>
/// The server's certificate and how it checks clients' certificates: the same settings serve the
/// AMQPS listener and any other TLS endpoint of the server (the management HTTPS port).
/// </summary>
public sealed record TlsOptions
{
    /// <summary>The server certificate, PEM; may hold the intermediate certificates after it, and the key when <see cref="KeyFile"/> is not given.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>The private key of <see cref="CertificateFile"/>, PEM (PKCS#8, PKCS#1 or SEC1; encrypted when <see cref="Password"/> is set).</summary>
    public string? KeyFile { get; init; }

    /// <summary>The server certificate with its key as PKCS#12 (.pfx/.p12), instead of <see cref="CertificateFile"/>.</summary>
    public string? PfxFile { get; init; }

    /// <summary>The password of <see cref="PfxFile"/> or of an encrypted PEM key (RabbitMQ's <c>ssl_options.password</c>).</summary>
    public string? Password { get; init; }

    /// <summary>CA certificates (PEM bundle) that client certificates must chain to (RabbitMQ's <c>ssl_options.cacertfile</c>).</summary>
    public string? CaFile { get; init; }

    /// <summary>Whether client certificates are asked for and verified. Default: <see cref="TlsPeerVerification.None"/>.</summary>
    public TlsPeerVerification Verify { get; init; } = TlsPeerVerification.None;

    /// <summary>With <see cref="TlsPeerVerification.Peer"/>: refuse clients that send no certificate (RabbitMQ's <c>fail_if_no_peer_cert</c>, default false).</summary>
    public bool FailIfNoPeerCertificate { get; init; }

    /// <summary>How long the TLS handshake may take (RabbitMQ's <c>ssl_handshake_timeout</c>: 5 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reload the certificate, key and CA files when they change on disk (besides on <see cref="TlsContext.Reload"/>).</summary>
    public bool WatchFiles { get; init; } = true;

    /// <summary>Checks the values; throws naming the option at fault.</summary>
    public void Validate()
    {
        if (PfxFile is null && CertificateFile is null)
            throw new ArgumentException("TLS needs a server certificate: CertificateFile (PEM, with KeyFile) or PfxFile.", nameof(CertificateFile));
        if (PfxFile is not null && (CertificateFile is not null || KeyFile is not null))
            throw new ArgumentException("PfxFile holds the certificate and its key: give either PfxFile or CertificateFile/KeyFile, not both.", nameof(PfxFile));
        if (KeyFile is not null && CertificateFile is null)
            throw new ArgumentException("KeyFile needs CertificateFile.", nameof(KeyFile));
        if (Verify == TlsPeerVerification.Peer && CaFile is null)
            throw new ArgumentException("Verify = Peer needs CaFile, the CA certificates client certificates must chain to.", nameof(CaFile));
        if (FailIfNoPeerCertificate && Verify != TlsPeerVerification.Peer)
            throw new ArgumentException("FailIfNoPeerCertificate needs Verify = Peer (as RabbitMQ's fail_if_no_peer_cert needs verify_peer).", nameof(FailIfNoPeerCertificate));
        if (HandshakeTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "HandshakeTimeout must be positive.");
        if (!Enum.IsDefined(Verify))
            throw new ArgumentOutOfRangeException(nameof(Verify), Verify, "Verify must be None or Peer.");
    }
}
