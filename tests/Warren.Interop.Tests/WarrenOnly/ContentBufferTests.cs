using RabbitMQ.Client;
using Warren.Amqp.Connections;
using Warren.Interop.Tests.Infrastructure;
using Warren.Server;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>
/// The body of a published message is held as it arrives, not as its header announces it, and a
/// body that never comes times out (issue 10, defect 4). Warren only: the limits and the memory
/// measured are the test's own server's.
/// </summary>
public sealed class ContentBufferTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Content_headers_announcing_huge_bodies_commit_no_memory_before_the_bytes_arrive()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: Ct);
        await using var raw = await RawAmqpSocket.ConnectAsync(server.AmqpUri);
        await raw.HandshakeAsync();
        const int Channels = 8;
        const ulong Announced = 128 * 1024 * 1024; // the default max-message-size
        for (ushort channel = 1; channel <= Channels + 1; channel++) await raw.OpenChannelAsync(channel);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        for (ushort channel = 1; channel <= Channels; channel++)
        {
            await raw.SendMethodAsync(channel, 60, 40, w => w.Short(0).ShortStr("").ShortStr("nowhere").Octet(0));
            await raw.SendAsync(AmqpWriter.ContentHeaderFrame(channel, Announced));
            await raw.SendAsync(AmqpWriter.Frame(RawFrame.Body, channel, "a few bytes"u8));
        }
        // A round trip on another channel: every header and body frame before it is handled.
        await raw.SendMethodAsync(Channels + 1, 60, 10, w => w.Long(0).Short(10).Octet(0));
        await raw.ExpectMethodAsync(60, 11);

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(grown < 128L * 1024 * 1024, $"the heap grew by {grown / 1024 / 1024} MiB for {Channels} headers of {Announced / 1024 / 1024} MiB bodies");
    }

    [Fact]
    public async Task A_body_larger_than_the_first_buffer_arrives_intact()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: Ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: Ct)).QueueName;
        var body = new byte[1_000_003];
        new Random(7).NextBytes(body);

        await channel.BasicPublishAsync("", queue, body, Ct);

        var got = await channel.BasicGetAsync(queue, autoAck: true, Ct);
        Assert.NotNull(got);
        Assert.Equal(body, got.Body.ToArray());
    }

    [Fact]
    public async Task A_body_that_never_comes_closes_its_channel_after_the_content_timeout_and_the_connection_goes_on()
    {
        var options = new WarrenServerOptions { Port = 0, Amqp = AmqpOptions.Default with { ContentTimeout = TimeSpan.FromSeconds(1) } };
        await using var server = await WarrenServer.StartAsync(options, cancellationToken: Ct);
        await using var raw = await RawAmqpSocket.ConnectAsync(server.AmqpUri);
        await raw.HandshakeAsync();
        await raw.OpenChannelAsync(1);

        await raw.SendMethodAsync(1, 60, 40, w => w.Short(0).ShortStr("").ShortStr("nowhere").Octet(0));
        await raw.SendAsync(AmqpWriter.ContentHeaderFrame(1, 1000));
        await raw.SendAsync(AmqpWriter.Frame(RawFrame.Body, 1, new byte[10]));

        var close = await raw.ExpectChannelCloseAsync(1);
        Assert.Equal(new RawClose(406, "PRECONDITION_FAILED - content body for basic.publish not received within 1 s (10 of 1000 bytes arrived)", 60, 40), close);
        await raw.SendMethodAsync(1, 20, 41);
        await raw.OpenChannelAsync(2);
    }
}
