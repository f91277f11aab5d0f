using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class ConnectionTests(BrokerTarget target) : InteropTest(target)
{
    [Fact]
    public async Task A_client_connects_and_closes_cleanly()
    {
        var c = await ConnectAsync();
        Assert.True(c.IsOpen);

        await c.CloseAsync(Ct);

        Assert.False(c.IsOpen);
        Assert.Equal(ShutdownInitiator.Application, c.CloseReason!.Initiator);
        Assert.Equal(200, c.CloseReason.ReplyCode);
    }

    [Fact]
    public async Task Server_properties_name_the_product_and_the_capabilities_clients_rely_on()
    {
        var c = await ConnectAsync();
        var props = c.ServerProperties!;

        foreach (var key in new[] { "product", "version", "platform" })
            Assert.IsType<byte[]>(props[key]);
        var capabilities = Assert.IsType<Dictionary<string, object?>>(props["capabilities"]);
        // The capabilities RabbitMQ.Client and other clients look for; authentication_failure_close
        // is what lets a client tell a wrong password (403) from a network failure.
        foreach (var capability in new[]
                 {
                     "publisher_confirms", "exchange_exchange_bindings", "basic.nack",
                     "consumer_cancel_notify", "authentication_failure_close", "per_consumer_qos",
                 })
            Assert.Equal(true, capabilities[capability]);
        if (Target.IsRabbitMq)
            Assert.Equal("RabbitMQ", Encoding.UTF8.GetString((byte[])props["product"]!));
    }

    [Fact]
    public async Task Frame_max_and_channel_max_are_the_servers_when_the_client_asks_for_no_limit()
    {
        var c = await ConnectAsync(f =>
        {
            f.RequestedFrameMax = 0;
            f.RequestedChannelMax = 0;
        });

        // 131072 and 2047: RabbitMQ's defaults (frame_max, channel_max).
        Assert.Equal(131072u, c.FrameMax);
        Assert.Equal((ushort)2047, c.ChannelMax);
    }

    [Fact]
    public async Task The_client_defaults_negotiate_frame_max_131072_and_channel_max_2047()
    {
        // RabbitMQ.Client 7 asks for frame-max 0 (no limit) and channel-max 2047.
        Assert.Equal(0u, ConnectionFactory.DefaultFrameMax);
        Assert.Equal((ushort)2047, ConnectionFactory.DefaultChannelMax);

        var c = await ConnectAsync();

        Assert.Equal(131072u, c.FrameMax);
        Assert.Equal((ushort)2047, c.ChannelMax);
    }

    [Fact]
    public async Task A_smaller_frame_max_asked_by_the_client_wins()
    {
        var c = await ConnectAsync(f => f.RequestedFrameMax = 8192);

        Assert.Equal(8192u, c.FrameMax);
        await using var ch = await c.CreateChannelAsync(cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch);
        var body = new byte[50_000];
        Random.Shared.NextBytes(body);
        await ch.BasicPublishAsync("", q, body, Ct);
        var got = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(body, got!.Body.ToArray());
    }

    [Fact]
    public async Task Heartbeat_asked_by_the_client_is_accepted_when_lower_than_the_servers()
    {
        var c = await ConnectAsync(f => f.RequestedHeartbeat = TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromSeconds(10), c.Heartbeat);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_access_refused()
    {
        var factory = Target.CreateFactory();
        factory.Password = "not-the-password";

        var ex = await Assert.ThrowsAsync<BrokerUnreachableException>(() => factory.CreateConnectionAsync(Ct));

        // The broker answers start-ok with connection.close 403 ACCESS_REFUSED (authentication_failure_close),
        // which the client turns into an AuthenticationFailureException.
        var auth = Assert.IsType<AuthenticationFailureException>(ex.InnerException);
        Assert.Contains("ACCESS_REFUSED", auth.Message);
    }

    [Fact]
    public async Task An_unknown_virtual_host_is_refused_with_not_allowed()
    {
        var factory = Target.CreateFactory();
        var vhost = "no-such-vhost-" + Guid.NewGuid().ToString("N");
        factory.VirtualHost = vhost;

        // RabbitMQ answers connection.open with connection.close 530 instead of open-ok. RabbitMQ.Client
        // 7.2.2 does not always surface it from CreateConnectionAsync (the connection can look open
        // until the next method), so accept both: a failed connect, or a failure of the first channel.
        ShutdownEventArgs reason;
        try
        {
            var c = await factory.CreateConnectionAsync(Ct);
            var ex = await Assert.ThrowsAnyAsync<OperationInterruptedException>(() => c.CreateChannelAsync(cancellationToken: Ct));
            reason = ex.ShutdownReason!;
            c.Dispose();
        }
        catch (BrokerUnreachableException ex)
        {
            reason = Assert.IsType<OperationInterruptedException>(ex.InnerException, exactMatch: false).ShutdownReason!;
        }

        Assert.Equal(ShutdownInitiator.Peer, reason.Initiator);
        AssertClose(reason, 530, $"NOT_ALLOWED - vhost {vhost} not found", 10, 40);
    }

    [Fact]
    public async Task Closing_with_a_reason_reports_that_reason()
    {
        var c = await ConnectAsync();

        await c.CloseAsync(320, "going away", TimeSpan.FromSeconds(10), false, Ct);

        Assert.False(c.IsOpen);
        Assert.Equal((ushort)320, c.CloseReason!.ReplyCode);
        Assert.Equal("going away", c.CloseReason.ReplyText);
    }

    [Fact]
    public async Task Many_channels_can_be_open_on_one_connection()
    {
        var c = await ConnectAsync();
        var channels = new List<IChannel>();
        for (var i = 0; i < 50; i++)
            channels.Add(await c.CreateChannelAsync(cancellationToken: Ct));

        Assert.Equal(50, channels.Select(ch => ch.ChannelNumber).Distinct().Count());
        foreach (var ch in channels)
            await ch.CloseAsync(Ct);
        Assert.True(c.IsOpen);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ConnectionTests_on_Warren(WarrenFixture f) : ConnectionTests(f.Target);

public sealed class ConnectionTests_on_RabbitMq(RabbitMqFixture f) : ConnectionTests(f.Target);
