using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Amqp.Connections;
using Warren.Amqp.Listening.Tls;
using Warren.Server;

namespace Warren.Interop.Tests.Security;

/// <summary>
/// AMQPS with real clients (RabbitMQ.Client, pika, openssl s_client): TLS versions, client
/// certificates checked against the CA file, EXTERNAL, certificate reload. Warren only: each test
/// starts a server of its own with its own certificates.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TestCertificates _certificates = new();
    private string? _lastServerThumbprint;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _certificates.Dispose();

    private TlsOptions Tls(TlsPeerVerification verify = TlsPeerVerification.None, bool failIfNoPeerCertificate = false, bool watch = false) => new()
    {
        CertificateFile = _certificates.ServerCertificateFile,
        KeyFile = _certificates.ServerKeyFile,
        CaFile = verify == TlsPeerVerification.Peer ? _certificates.CaFile : null,
        Verify = verify,
        FailIfNoPeerCertificate = failIfNoPeerCertificate,
        WatchFiles = watch,
    };

    private static Task<WarrenServer> StartAsync(TlsOptions tls, bool external = false) =>
        WarrenServer.StartAsync(new WarrenServerOptions
        {
            Port = 0,
            TlsPort = 0,
            Tls = tls,
            Amqp = external ? AmqpOptions.Default with { AuthMechanisms = ["PLAIN", "AMQPLAIN", "EXTERNAL"] } : AmqpOptions.Default,
        }, cancellationToken: Ct);

    private ConnectionFactory Factory(WarrenServer server, X509Certificate2? clientCertificate = null, bool external = false, string virtualHost = "/")
    {
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = server.TlsEndPoint!.Port,
            VirtualHost = virtualHost,
            AutomaticRecoveryEnabled = false,
            Ssl = new SslOption
            {
                Enabled = true,
                ServerName = "localhost",
                CertificateValidationCallback = TrustTestCa,
                Certs = clientCertificate is null ? null : new X509CertificateCollection { clientCertificate },
                // Send the certificate even when the server's CA list does not name its issuer: the server must be the one to refuse it.
                CertificateSelectionCallback = (_, _, local, _, _) => local.Count > 0 ? local[0] : null!,
            },
        };
        if (external) factory.AuthMechanisms = [new ExternalMechanismFactory()];
        return factory;
    }

    // The client trusts the test CA only, and remembers which certificate the server showed.
    private bool TrustTestCa(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var ours = new X509Chain();
        ours.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        ours.ChainPolicy.CustomTrustStore.Add(_certificates.Ca);
        ours.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        _lastServerThumbprint = server.Thumbprint;
        return ours.Build(server) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
    }

    private static async Task<string> RoundTripAsync(IConnection connection)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        var queue = (await channel.QueueDeclareAsync("", false, true, true, cancellationToken: Ct)).QueueName;
        await channel.BasicPublishAsync("", queue, true, new BasicProperties(), "over tls"u8.ToArray(), Ct);
        var got = await channel.BasicGetAsync(queue, true, Ct);
        return System.Text.Encoding.UTF8.GetString(got!.Body.Span);
    }

    private static string Describe(Exception e)
    {
        var text = new System.Text.StringBuilder();
        for (var x = e; x is not null; x = x.InnerException) text.Append(x.GetType().Name).Append(": ").Append(x.Message).Append(" | ");
        return text.ToString();
    }

    [Fact]
    public async Task RabbitMQ_Client_publishes_and_consumes_over_TLS_without_a_client_certificate()
    {
        await using var server = await StartAsync(Tls());
        await using var connection = await Factory(server).CreateConnectionAsync(Ct);

        Assert.Equal("over tls", await RoundTripAsync(connection));
        Assert.Equal(_certificates.ServerThumbprint, _lastServerThumbprint);
    }

    [Fact]
    public async Task The_plain_listener_stays_beside_the_TLS_one_unless_disabled()
    {
        await using (var both = await StartAsync(Tls()))
        {
            await using var plain = await new ConnectionFactory { Uri = both.AmqpUri, AutomaticRecoveryEnabled = false }.CreateConnectionAsync(Ct);
            Assert.Equal("over tls", await RoundTripAsync(plain));
        }
        await using var tlsOnly = await WarrenServer.StartAsync(new WarrenServerOptions { EnablePlainListener = false, TlsPort = 0, Tls = Tls() }, cancellationToken: Ct);
        Assert.Throws<InvalidOperationException>(() => tlsOnly.AmqpUri);
        await using var connection = await Factory(tlsOnly).CreateConnectionAsync(Ct);
        Assert.Equal("over tls", await RoundTripAsync(connection));
    }

    [Fact]
    public async Task RabbitMQ_Client_with_a_client_certificate_signed_by_the_CA_is_let_in_when_certificates_are_required()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer, failIfNoPeerCertificate: true));
        using var certificate = _certificates.CreateClientCertificate("alice");

        await using var connection = await Factory(server, certificate).CreateConnectionAsync(Ct);

        Assert.Equal("over tls", await RoundTripAsync(connection));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused_when_one_is_required()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer, failIfNoPeerCertificate: true));

        var e = await Assert.ThrowsAsync<BrokerUnreachableException>(() => Factory(server).CreateConnectionAsync(Ct));

        Assert.DoesNotContain("ACCESS_REFUSED", Describe(e)); // refused by TLS, before AMQP
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_let_in_by_verify_peer_alone_as_RabbitMQ_does()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer));

        await using var connection = await Factory(server).CreateConnectionAsync(Ct);

        Assert.Equal("over tls", await RoundTripAsync(connection));
    }

    [Fact]
    public async Task A_client_certificate_from_another_CA_is_refused()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer));
        using var stranger = _certificates.CreateClientCertificate("alice", fromOtherCa: true);

        await Assert.ThrowsAsync<BrokerUnreachableException>(() => Factory(server, stranger).CreateConnectionAsync(Ct));

        // The same server lets in a certificate from its CA: the refusal was the CA's doing.
        using var trusted = _certificates.CreateClientCertificate("alice");
        await using var connection = await Factory(server, trusted).CreateConnectionAsync(Ct);
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task EXTERNAL_logs_in_the_user_named_by_the_certificate_CN()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer), external: true);
        server.Broker.AddVirtualHost("alice-only");
        server.Broker.Users.PutUser("alice", "a password EXTERNAL never uses");
        server.Broker.Users.SetPermission(new Warren.Broker.Security.Permission("alice", "alice-only", ".*", ".*", ".*"));
        using var certificate = _certificates.CreateClientCertificate("alice");

        // Only alice may open this virtual host: getting in proves who logged in.
        await using var connection = await Factory(server, certificate, external: true, virtualHost: "alice-only").CreateConnectionAsync(Ct);

        Assert.Equal("over tls", await RoundTripAsync(connection));
    }

    [Fact]
    public async Task EXTERNAL_is_refused_for_a_certificate_naming_an_unknown_user()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer), external: true);
        using var certificate = _certificates.CreateClientCertificate("mallory");

        var e = await Assert.ThrowsAsync<BrokerUnreachableException>(() => Factory(server, certificate, external: true).CreateConnectionAsync(Ct));

        Assert.Contains("ACCESS_REFUSED - Login was refused using authentication mechanism EXTERNAL", Describe(e));
    }

    [Fact]
    public async Task EXTERNAL_is_not_offered_to_a_client_without_a_certificate()
    {
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer), external: true);

        var e = await Assert.ThrowsAsync<BrokerUnreachableException>(() => Factory(server, external: true).CreateConnectionAsync(Ct));

        Assert.Contains("PLAIN AMQPLAIN", Describe(e));
        Assert.DoesNotContain("AMQPLAIN EXTERNAL", Describe(e));
    }

    [Theory]
    [InlineData("-tls1", false)]
    [InlineData("-tls1_1", false)]
    [InlineData("-tls1_2", true)]
    [InlineData("-tls1_3", true)]
    public async Task Openssl_s_client_is_refused_TLS_1_0_and_1_1_and_served_1_2_and_1_3(string version, bool served)
    {
        if (!File.Exists("/usr/bin/openssl")) Assert.Skip("openssl is missing (apt-get install openssl)");
        await using var server = await StartAsync(Tls());

        // SECLEVEL=0: OpenSSL 3 would not even offer TLS 1.0/1.1 otherwise, and the refusal must be the server's.
        var (_, output) = await ExternalProcess.RunAsync("/usr/bin/openssl",
            ["s_client", "-connect", $"127.0.0.1:{server.TlsEndPoint!.Port}", "-servername", "localhost", version, "-cipher", "DEFAULT:@SECLEVEL=0", "-CAfile", _certificates.CaFile],
            Timeout, Ct);

        var negotiated = System.Text.RegularExpressions.Regex.Match(output, @"New, (TLSv[\d.]+), Cipher is (?!\(NONE\))");
        Assert.True(served == negotiated.Success, output);
        if (served) Assert.Contains("Verify return code: 0 (ok)", output);
        else Assert.Contains("alert protocol version", output);
    }

    [Fact]
    public async Task Pika_publishes_and_consumes_over_TLS_with_and_without_a_client_certificate()
    {
        await ExternalProcess.RequirePythonModuleAsync("pika", "python3-pika", Ct);
        await using var server = await StartAsync(Tls(TlsPeerVerification.Peer), external: true);
        server.Broker.Users.PutUser("bob", "unused");
        server.Broker.Users.SetPermission(new Warren.Broker.Security.Permission("bob", "/", ".*", ".*", ".*"));
        var (certificate, key) = _certificates.WriteClientCertificate("bob");
        var port = server.TlsEndPoint!.Port.ToString();
        var script = ExternalProcess.Script("pika_tls.py");

        var anonymous = await ExternalProcess.RunAsync(ExternalProcess.Python, [script, port, _certificates.CaFile], Timeout, Ct);
        var withCertificate = await ExternalProcess.RunAsync(ExternalProcess.Python, [script, port, _certificates.CaFile, "--cert", certificate, key], Timeout, Ct);
        var external = await ExternalProcess.RunAsync(ExternalProcess.Python, [script, port, _certificates.CaFile, "--cert", certificate, key, "--external"], Timeout, Ct);
        var (otherCertificate, otherKey) = _certificates.WriteClientCertificate("bob", fromOtherCa: true);
        var wrongCa = await ExternalProcess.RunAsync(ExternalProcess.Python, [script, port, _certificates.CaFile, "--cert", otherCertificate, otherKey], Timeout, Ct);

        Assert.True(anonymous.ExitCode == 0 && anonymous.Output.Contains("OK over tls"), anonymous.Output);
        Assert.True(withCertificate.ExitCode == 0 && withCertificate.Output.Contains("OK over tls"), withCertificate.Output);
        Assert.True(external.ExitCode == 0 && external.Output.Contains("OK over tls"), external.Output);
        Assert.True(wrongCa.ExitCode != 0, wrongCa.Output);
    }

    [Fact]
    public async Task A_renewed_certificate_on_disk_is_used_by_new_connections_without_a_restart()
    {
        await using var server = await StartAsync(Tls(watch: true));
        await using (var before = await Factory(server).CreateConnectionAsync(Ct)) { }
        var first = _lastServerThumbprint;
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Tls!.Reloaded += () => reloaded.TrySetResult();

        _certificates.WriteServerCertificate("localhost");
        await reloaded.Task.WaitAsync(Timeout, Ct);
        await using var after = await Factory(server).CreateConnectionAsync(Ct);

        Assert.NotEqual(first, _lastServerThumbprint);
        Assert.Equal(_certificates.ServerThumbprint, _lastServerThumbprint);
    }

    [Fact]
    public async Task A_reload_of_unreadable_files_keeps_the_previous_certificate()
    {
        await using var server = await StartAsync(Tls());
        var thumbprint = _certificates.ServerThumbprint;
        await File.WriteAllTextAsync(_certificates.ServerCertificateFile, "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n", Ct);

        Assert.False(server.ReloadTls());
        await using var connection = await Factory(server).CreateConnectionAsync(Ct);

        Assert.Equal(thumbprint, _lastServerThumbprint);
    }

    [Fact]
    public async Task A_PFX_file_with_a_password_serves_as_the_certificate()
    {
        using var pem = X509Certificate2.CreateFromPemFile(_certificates.ServerCertificateFile, _certificates.ServerKeyFile);
        var pfx = Path.Combine(_certificates.Folder, "server.pfx");
        await File.WriteAllBytesAsync(pfx, pem.Export(X509ContentType.Pkcs12, "s3cret"), Ct);
        await using var server = await StartAsync(new TlsOptions { PfxFile = pfx, Password = "s3cret", WatchFiles = false });

        await using var connection = await Factory(server).CreateConnectionAsync(Ct);

        Assert.Equal(_certificates.ServerThumbprint, _lastServerThumbprint);
    }

    [Theory]
    [InlineData(null, null, "TLS needs a server certificate")]
    [InlineData("cert", "pfx", "either PfxFile or CertificateFile")]
    public void Incomplete_TLS_options_are_refused_naming_what_is_missing(string? certificate, string? pfx, string message)
    {
        var options = new TlsOptions { CertificateFile = certificate, PfxFile = pfx };

        Assert.Contains(message, Assert.ThrowsAny<ArgumentException>(options.Validate).Message);
        Assert.Contains("needs CaFile", Assert.ThrowsAny<ArgumentException>(new TlsOptions { CertificateFile = "c", Verify = TlsPeerVerification.Peer }.Validate).Message);
        Assert.Contains("needs Verify = Peer", Assert.ThrowsAny<ArgumentException>(new TlsOptions { CertificateFile = "c", FailIfNoPeerCertificate = true }.Validate).Message);
    }
}
