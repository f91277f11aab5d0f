using System.Diagnostics;
using System.Net;
using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;

namespace Warren.Amqp.Tests.Conversations;

/// <summary>SASL mechanisms (EXTERNAL from a verified client certificate), slowed login failures and the handshake timeout.</summary>
public sealed class AuthenticationConversationTests
{
    private static readonly AmqpOptions WithExternal = AmqpOptions.Default with { AuthMechanisms = ["PLAIN", "AMQPLAIN", "EXTERNAL"] };

    private static TransportSecurity VerifiedCertificate(string? commonName) =>
        new("tlsv1.3", "TLS_AES_256_GCM_SHA384", commonName is null ? "O=Warren tests" : $"CN={commonName}, O=Warren tests", "CN=Warren Test CA", commonName);

    [Fact]
    public async Task EXTERNAL_is_offered_only_on_a_connection_with_a_verified_client_certificate()
    {
        await using var plain = new PipeClient(options: WithExternal);
        await using var tlsWithoutCertificate = new PipeClient(options: WithExternal, security: new TransportSecurity("tlsv1.3", "x", null, null, null));
        await using var withCertificate = new PipeClient(options: WithExternal, security: VerifiedCertificate("alice"));

        Assert.Equal("PLAIN AMQPLAIN", (await plain.StartAsync()).Mechanisms);
        Assert.Equal("PLAIN AMQPLAIN", (await tlsWithoutCertificate.StartAsync()).Mechanisms);
        Assert.Equal("PLAIN AMQPLAIN EXTERNAL", (await withCertificate.StartAsync()).Mechanisms);
    }

    [Fact]
    public async Task EXTERNAL_is_not_offered_unless_configured_as_RabbitMQ_needs_it_in_auth_mechanisms()
    {
        await using var client = new PipeClient(security: VerifiedCertificate("alice"));

        Assert.Equal("PLAIN AMQPLAIN", (await client.StartAsync()).Mechanisms);
    }

    [Fact]
    public async Task EXTERNAL_logs_in_the_user_named_by_the_certificate_CN_without_a_password()
    {
        var broker = new Broker.Broker();
        broker.Users.PutUser("alice", "not used");
        broker.Users.SetPermission(new Warren.Broker.Security.Permission("alice", "/", ".*", ".*", ".*"));
        await using var client = new PipeClient(broker, WithExternal, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 5000), VerifiedCertificate("alice"));

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, "EXTERNAL", [], "en_US"));
        await client.ExpectAsync(0, ConnectionTune.Id, ConnectionTune.ReadFrom);

        Assert.Equal("alice", client.Connection.UserName);
    }

    [Theory]
    [InlineData("mallory")]
    [InlineData(null)]
    public async Task EXTERNAL_is_refused_for_a_certificate_naming_no_known_user(string? commonName)
    {
        await using var client = new PipeClient(options: WithExternal, security: VerifiedCertificate(commonName));

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, "EXTERNAL", [], "en_US"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(403, close.ReplyCode);
        Assert.Equal("ACCESS_REFUSED - Login was refused using authentication mechanism EXTERNAL. For details see the broker logfile.", close.ReplyText);
        Assert.Null(client.Connection.UserName);
    }

    [Theory]
    [InlineData("EXTERNAL", "COMMAND_INVALID - invalid authentication mechanism 'EXTERNAL'")]
    [InlineData("CRAM-MD5", "COMMAND_INVALID - unknown authentication mechanism 'CRAM-MD5'")]
    public async Task A_mechanism_that_was_not_offered_is_refused_with_RabbitMQs_texts(string mechanism, string text)
    {
        await using var client = new PipeClient(options: WithExternal);

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, mechanism, [], "en_US"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal((503, text), (close.ReplyCode, close.ReplyText));
    }

    [Fact]
    public async Task Repeated_login_failures_from_one_address_are_answered_later_and_later()
    {
        var broker = new Broker.Broker();
        var attacker = new IPEndPoint(IPAddress.Parse("192.0.2.9"), 4000);
        var elapsed = new List<TimeSpan>();
        for (var attempt = 0; attempt < broker.LoginFailures.FreeFailures + 2; attempt++)
        {
            await using var client = new PipeClient(broker, remoteEndPoint: attacker);
            await client.StartAsync();
            var clock = Stopwatch.StartNew();
            await client.SendAsync(0, new ConnectionStartOk(null, "PLAIN", PipeClient.PlainResponse("guest", "guess" + attempt), "en_US"));
            var close = await client.ExpectConnectionCloseAsync();
            elapsed.Add(clock.Elapsed);
            Assert.Equal(403, close.ReplyCode);
            await client.SendAsync(0, new ConnectionCloseOk());
            await client.WaitForRunToEndAsync();
        }

        // Lower bounds only: a loaded machine may answer later, never earlier (less a timer's
        // granularity: a timer may fire a millisecond before the stopwatch agrees).
        var slack = TimeSpan.FromMilliseconds(20);
        Assert.True(elapsed[^2] >= broker.LoginFailures.DelayFor(broker.LoginFailures.FreeFailures + 1) - slack, $"the 4th refusal came after {elapsed[^2]}");
        Assert.True(elapsed[^1] >= broker.LoginFailures.DelayFor(broker.LoginFailures.FreeFailures + 2) - slack, $"the 5th refusal came after {elapsed[^1]}");
        Assert.True(elapsed[0] < broker.LoginFailures.DelayFor(broker.LoginFailures.FreeFailures + 2), $"the 1st refusal came after {elapsed[0]}");
        await using var other = new PipeClient(broker, remoteEndPoint: new IPEndPoint(IPAddress.Parse("192.0.2.10"), 4000));
        broker.Users.PutUser("app", "pw");
        broker.Users.SetPermission(new Warren.Broker.Security.Permission("app", "/", ".*", ".*", ".*"));
        await other.LogInAsync("app", "pw");
        Assert.Equal("app", other.Connection.UserName);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_at_the_handshake_timeout()
    {
        var options = AmqpOptions.Default with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };
        await using var client = new PipeClient(options: options);

        await client.SendBytesAsync("AMQP"u8.ToArray());
        await client.WaitForRunToEndAsync();

        Assert.True(client.Connection.HandshakeTimedOut);
    }

    [Fact]
    public async Task A_connection_that_stalls_after_logging_in_is_closed_at_the_handshake_timeout()
    {
        var options = AmqpOptions.Default with { HandshakeTimeout = TimeSpan.FromMilliseconds(500) };
        await using var client = new PipeClient(options: options);

        await client.LogInAsync(); // connection.tune received; tune-ok and open never sent
        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();

        Assert.True(client.Connection.HandshakeTimedOut);
        Assert.Equal("guest", client.Connection.UserName);
    }

    [Fact]
    public async Task An_open_connection_outlives_the_handshake_timeout()
    {
        var options = AmqpOptions.Default with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) };
        await using var client = new PipeClient(options: options);
        await client.OpenAsync();

        // Time has to pass here: the point is what happens after the deadline.
        await Task.Delay(TimeSpan.FromMilliseconds(600), TestContext.Current.CancellationToken);
        await client.OpenChannelAsync(1);

        Assert.False(client.Run.IsCompleted);
        Assert.False(client.Connection.HandshakeTimedOut);
    }
}
