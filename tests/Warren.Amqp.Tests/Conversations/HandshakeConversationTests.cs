using Warren.Broker.Messages;
using System.Net;
using Warren.Amqp.Connections;
using Warren.Amqp.Protocol;
using Warren.Broker.Routing;

namespace Warren.Amqp.Tests.Conversations;

public sealed class HandshakeConversationTests
{
    private static string Text(object? value) => FieldValues.TryGetString(value, out var s) ? s : $"<{value}>";

    [Fact]
    public async Task A_wrong_protocol_header_is_answered_with_the_0_9_1_header_and_the_connection_ends()
    {
        await using var client = new PipeClient();

        await client.SendBytesAsync("AMQP\x01\x01\x00\x0a"u8.ToArray());

        Assert.Equal(AmqpConstants.ProtocolHeader.ToArray(), await client.ReadBytesAsync(8));
        Assert.Empty(await client.ReadBytesAsync(1));
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task Garbage_instead_of_a_protocol_header_is_answered_the_same_way()
    {
        await using var client = new PipeClient();

        await client.SendBytesAsync("GET / HTTP/1.1\r\n"u8.ToArray());

        Assert.Equal(AmqpConstants.ProtocolHeader.ToArray(), await client.ReadBytesAsync(8));
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task Connection_start_announces_the_server_its_capabilities_and_the_mechanisms()
    {
        await using var client = new PipeClient();

        var start = await client.StartAsync();

        Assert.Equal(0, start.VersionMajor);
        Assert.Equal(9, start.VersionMinor);
        Assert.Equal("PLAIN AMQPLAIN", start.Mechanisms);
        Assert.Equal("en_US", start.Locales);
        var properties = start.ServerProperties!;
        Assert.Equal("Warren", Text(properties["product"]));
        Assert.False(string.IsNullOrEmpty(Text(properties["version"])));
        Assert.StartsWith(".NET", Text(properties["platform"]));
        var capabilities = Assert.IsAssignableFrom<IDictionary<string, object?>>(properties["capabilities"]);
        foreach (var capability in new[] { "publisher_confirms", "exchange_exchange_bindings", "basic.nack", "consumer_cancel_notify", "per_consumer_qos", "authentication_failure_close" })
        {
            Assert.Equal(true, capabilities[capability]);
        }
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("AMQPLAIN")]
    public async Task Guest_logs_in_with_either_mechanism(string mechanism)
    {
        await using var client = new PipeClient();

        await client.OpenAsync(mechanism: mechanism);

        Assert.Equal("guest", client.Connection.UserName);
    }

    [Fact]
    public async Task Connection_tune_offers_the_defaults_of_amqp_options()
    {
        await using var client = new PipeClient();

        var tune = await client.LogInAsync();

        Assert.Equal(2047, tune.ChannelMax);
        Assert.Equal(131072u, tune.FrameMax);
        Assert.Equal(60, tune.Heartbeat);
    }

    [Fact]
    public async Task Connection_tune_offers_configured_limits()
    {
        await using var client = new PipeClient(options: new AmqpOptions { ChannelMax = 10, FrameMax = 8192, Heartbeat = 5 });

        var tune = await client.LogInAsync();

        Assert.Equal(new ConnectionTune(10, 8192, 5), tune);
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("AMQPLAIN")]
    public async Task A_wrong_password_is_refused_with_access_refused_and_the_connection_ends_at_close_ok(string mechanism)
    {
        await using var client = new PipeClient();

        await client.StartAsync();
        var response = mechanism == "PLAIN" ? PipeClient.PlainResponse("guest", "nope") : PipeClient.AmqplainResponse("guest", "nope");
        await client.SendAsync(0, new ConnectionStartOk(null, mechanism, response, "en_US"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(403, close.ReplyCode);
        Assert.Equal($"ACCESS_REFUSED - Login was refused using authentication mechanism {mechanism}. For details see the broker logfile.", close.ReplyText);
        Assert.Equal(ConnectionStartOk.Id, close.FailingMethodId);
        await client.SendAsync(0, new ConnectionCloseOk());
        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();
        Assert.Null(client.Connection.UserName);
    }

    [Fact]
    public async Task Guest_is_refused_from_a_non_loopback_address()
    {
        await using var client = new PipeClient(remoteEndPoint: new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5000));

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, "PLAIN", PipeClient.PlainResponse("guest", "guest"), "en_US"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(403, close.ReplyCode);
        Assert.Equal("ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.", close.ReplyText);
    }

    [Fact]
    public async Task A_user_who_is_not_loopback_only_logs_in_from_a_remote_address()
    {
        var broker = new Broker.Broker();
        broker.Users.PutUser("app", "pw");
        broker.Users.SetPermission(new Warren.Broker.Security.Permission("app", "/", ".*", ".*", ".*"));
        await using var client = new PipeClient(broker, remoteEndPoint: new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5000));

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, "PLAIN", PipeClient.PlainResponse("app", "pw"), "en_US"));

        await client.ExpectAsync(0, ConnectionTune.Id, ConnectionTune.ReadFrom);
    }

    [Fact]
    public async Task An_unknown_mechanism_is_refused_with_command_invalid()
    {
        await using var client = new PipeClient();

        await client.StartAsync();
        await client.SendAsync(0, new ConnectionStartOk(null, "EXTERNAL", [], "en_US"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(503, close.ReplyCode);
        Assert.Equal("COMMAND_INVALID - unknown authentication mechanism 'EXTERNAL'", close.ReplyText);
    }

    [Fact]
    public async Task A_tune_ok_with_frame_max_below_4096_is_refused_with_not_allowed_and_the_connection_ends()
    {
        await using var client = new PipeClient();
        await client.LogInAsync();

        await client.SendAsync(0, new ConnectionTuneOk(2047, 1024, 0));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(530, close.ReplyCode);
        Assert.Equal("NOT_ALLOWED - frame_max=1024 < 4096 min size", close.ReplyText);
        Assert.Equal(ConnectionTuneOk.Id, close.FailingMethodId);
        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task A_tune_ok_with_frame_max_above_the_offer_is_refused_with_not_allowed()
    {
        await using var client = new PipeClient();
        await client.LogInAsync();

        await client.SendAsync(0, new ConnectionTuneOk(2047, 131073, 0));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(530, close.ReplyCode);
        Assert.Equal("NOT_ALLOWED - frame_max=131073 > 131072 max size", close.ReplyText);
    }

    [Fact]
    public async Task Opening_an_unknown_virtual_host_is_refused_with_not_allowed()
    {
        await using var client = new PipeClient();
        var tune = await client.LogInAsync();
        await client.SendAsync(0, new ConnectionTuneOk(tune.ChannelMax, tune.FrameMax, 0));

        await client.SendAsync(0, new ConnectionOpen("nope"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(530, close.ReplyCode);
        Assert.Equal("NOT_ALLOWED - vhost nope not found", close.ReplyText);
        Assert.Equal(ConnectionOpen.Id, close.FailingMethodId);
        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task Opening_a_virtual_host_the_user_may_not_use_is_refused_with_not_allowed()
    {
        var broker = new Broker.Broker();
        broker.AddVirtualHost("private");
        await using var client = new PipeClient(broker);
        var tune = await client.LogInAsync();
        await client.SendAsync(0, new ConnectionTuneOk(tune.ChannelMax, tune.FrameMax, 0));

        await client.SendAsync(0, new ConnectionOpen("private"));
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(530, close.ReplyCode);
        Assert.Equal("NOT_ALLOWED - access to vhost 'private' refused for user 'guest'", close.ReplyText);
    }

    [Fact]
    public async Task Connection_close_from_the_client_is_answered_with_close_ok_and_the_connection_ends()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();

        await client.SendAsync(0, new ConnectionClose(200, "bye", 0, 0));

        await client.ExpectAsync(0, ConnectionCloseOk.Id, ConnectionCloseOk.ReadFrom);
        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task The_connection_ends_when_the_client_hangs_up()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();

        await client.CompleteOutputAsync();

        await client.WaitForRunToEndAsync();
        await client.ExpectEndAsync();
    }

    [Fact]
    public async Task Close_forced_sends_connection_forced_to_the_client()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();

        client.Connection.CloseForced("broker shutdown");
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(320, close.ReplyCode);
        Assert.Equal("CONNECTION_FORCED - broker shutdown", close.ReplyText);
        Assert.Equal(0u, close.FailingMethodId);
    }

    [Fact]
    public async Task After_close_forced_the_clients_close_ok_ends_the_connection_without_another_close()
    {
        // A long close timeout: only the client's close-ok can end the connection within the test's timeout.
        await using var client = new PipeClient(options: new AmqpOptions { CloseTimeout = TimeSpan.FromMinutes(5) });
        await client.OpenAsync();
        client.Connection.CloseForced("broker shutdown");
        await client.ExpectConnectionCloseAsync();

        await client.SendAsync(0, new ConnectionCloseOk());

        await client.ExpectEndAsync();
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task Channel_methods_before_connection_open_are_refused_with_channel_error()
    {
        await using var client = new PipeClient();
        var tune = await client.LogInAsync();
        await client.SendAsync(0, new ConnectionTuneOk(tune.ChannelMax, tune.FrameMax, 0));

        await client.SendAsync(1, new ChannelOpen());
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(504, close.ReplyCode);
    }
}
