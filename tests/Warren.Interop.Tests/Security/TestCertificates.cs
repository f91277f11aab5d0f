using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Warren.Interop.Tests.Security;

/// <summary>
/// A throwaway PKI in a temporary folder, made with CertificateRequest: a CA, a server certificate
/// for localhost signed by it, client certificates signed by it, and a second CA that Warren does
/// not trust with a client certificate of its own. Deleted on dispose.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Folder = Directory.CreateTempSubdirectory("warren-tls-").FullName;
        Ca = CreateCa("Warren Test CA");
        OtherCa = CreateCa("Some Other CA");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
        File.WriteAllText(OtherCaFile, OtherCa.ExportCertificatePem());
        WriteServerCertificate("localhost");
    }

    public string Folder { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 OtherCa { get; }

    public string CaFile => Path.Combine(Folder, "ca.pem");

    public string OtherCaFile => Path.Combine(Folder, "other-ca.pem");

    public string ServerCertificateFile => Path.Combine(Folder, "server.pem");

    public string ServerKeyFile => Path.Combine(Folder, "server.key");

    /// <summary>The thumbprint of the server certificate now on disk.</summary>
    public string ServerThumbprint { get; private set; } = "";

    /// <summary>(Re)writes the server certificate and key files: a new key pair, signed by the CA.</summary>
    public void WriteServerCertificate(string commonName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = Sign(request, Ca);
        File.WriteAllText(ServerCertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(ServerKeyFile, key.ExportPkcs8PrivateKeyPem());
        ServerThumbprint = certificate.Thumbprint;
    }

    /// <summary>A client certificate (with its key) for <paramref name="commonName"/>, signed by the CA or by the other CA.</summary>
    public X509Certificate2 CreateClientCertificate(string commonName, bool fromOtherCa = false)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={commonName}, O=Warren tests", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var signed = Sign(request, fromOtherCa ? OtherCa : Ca);
        // With its key, through PKCS#12: SslStream on Linux wants a key it can export to OpenSSL.
        return X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Writes a client certificate and its key as PEM files (for pika and openssl); returns their paths.</summary>
    public (string Certificate, string Key) WriteClientCertificate(string commonName, bool fromOtherCa = false)
    {
        using var certificate = CreateClientCertificate(commonName, fromOtherCa);
        var stem = Path.Combine(Folder, $"client-{commonName}-{(fromOtherCa ? "other" : "ca")}");
        File.WriteAllText(stem + ".pem", certificate.ExportCertificatePem());
        File.WriteAllText(stem + ".key", certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (stem + ".pem", stem + ".key");
    }

    private static X509Certificate2 CreateCa(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 Sign(CertificateRequest request, X509Certificate2 ca)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        return request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(12));
    }

    public void Dispose()
    {
        Ca.Dispose();
        OtherCa.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { /* best effort */ }
    }
}
