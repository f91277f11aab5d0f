using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Warren.Amqp.Listening.Tls;

public sealed partial class TlsContext
{
    /// <summary>One reading of the files: replaced whole on reload, so a handshake never sees half of two.</summary>
    private sealed class Credentials
    {
        private Credentials(X509Certificate2 certificate, SslStreamCertificateContext context, X509Certificate2Collection? authorities)
        {
            Certificate = certificate;
            Context = context;
            Authorities = authorities;
        }

        public X509Certificate2 Certificate { get; }

        public SslStreamCertificateContext Context { get; }

        public X509Certificate2Collection? Authorities { get; }

        public static Credentials Load(TlsOptions options)
        {
            var (certificate, intermediates) = options.PfxFile is { } pfx ? LoadPfx(pfx, options.Password) : LoadPem(options);
            if (!certificate.HasPrivateKey)
                throw new ArgumentException($"The server certificate {certificate.Subject} has no private key.");
            X509Certificate2Collection? authorities = null;
            if (options.CaFile is { } caFile)
            {
                authorities = [];
                authorities.ImportFromPemFile(caFile);
                if (authorities.Count == 0) throw new ArgumentException($"{caFile} holds no PEM certificate.");
            }
            // The CA list is sent in the certificate request so clients pick a certificate it accepts
            // (as Erlang's ssl does with cacertfile); Windows' SChannel cannot send a custom list.
            var trust = authorities is not null && !OperatingSystem.IsWindows()
                ? SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true)
                : null;
            var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true, trust);
            return new Credentials(certificate, context, authorities);
        }

        private static (X509Certificate2, X509Certificate2Collection) LoadPfx(string path, string? password)
        {
            var all = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password);
            var leaf = all.FirstOrDefault(c => c.HasPrivateKey)
                ?? throw new ArgumentException($"{path} holds no certificate with a private key.");
            var intermediates = new X509Certificate2Collection();
            foreach (var c in all)
            {
                if (!ReferenceEquals(c, leaf)) intermediates.Add(c);
            }
            return (leaf, intermediates);
        }

        private static (X509Certificate2, X509Certificate2Collection) LoadPem(TlsOptions options)
        {
            var certificateFile = options.CertificateFile!;
            var keyFile = options.KeyFile ?? certificateFile;
            var leaf = options.Password is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(certificateFile, password, keyFile)
                : X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use an ephemeral key: give it one from a PKCS#12 round trip.
                using var ephemeral = leaf;
                leaf = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
            }
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certificateFile);
            var intermediates = new X509Certificate2Collection();
            // The file is the leaf followed by its chain (what Let's Encrypt calls fullchain.pem).
            for (var i = 1; i < all.Count; i++) intermediates.Add(all[i]);
            return (leaf, intermediates);
        }

        public string Describe() =>
            $"{Certificate.Subject}, thumbprint {Certificate.Thumbprint}, valid until {Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"
            + (Authorities is null ? "" : $"; {Authorities.Count} CA certificate(s) for client certificates");
    }
}
