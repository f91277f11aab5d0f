namespace Warren.Amqp.Connections;

/// <summary>
/// What the transport under a connection established (TLS, told by the listener): the session
/// only reads it, to offer EXTERNAL and to show it, and knows nothing of how it was made.
/// </summary>
/// <param name="Protocol">The protocol version, as RabbitMQ names it: <c>tlsv1.2</c>, <c>tlsv1.3</c>.</param>
/// <param name="CipherSuite">The negotiated cipher suite.</param>
/// <param name="PeerCertificateSubject">The subject of the client's verified certificate; null when it sent none.</param>
/// <param name="PeerCertificateIssuer">The issuer of that certificate.</param>
/// <param name="PeerCommonName">The first CN of that certificate's subject: the user EXTERNAL logs in.</param>
public sealed record TransportSecurity(string Protocol, string CipherSuite, string? PeerCertificateSubject, string? PeerCertificateIssuer, string? PeerCommonName)
{
    /// <summary>True when the client proved a certificate that chains to the server's CA file.</summary>
    public bool HasVerifiedPeerCertificate => PeerCertificateSubject is not null;
}
