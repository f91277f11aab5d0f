using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Interop.Tests.Infrastructure;
using Warren.Server;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>
/// A client that does not read its socket cannot make the server buffer without bound (issue 10,
/// defect 9). Warren only: RabbitMQ does not bound it, and the counts come from the broker model.
/// </summary>
public sealed class OutputBoundTests
{
    private const int MessageSize = 8 * 1024;
    // Below the queue's publisher flow-control threshold (8,192 ready), so publishing runs at full speed.
    private const int MessageCount = 8000;
    // What may have left the queue for the stuck client: two output buffers of 4 MiB, the kernel's
    // send buffer (4 MiB here) and the client's fixed 64 KiB receive buffer, with room to spare.
    private const long MaxInFlightBytes = 24L * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_acking_consumer_that_never_reads_its_socket_is_held_at_a_bounded_output_and_resumes_when_it_reads()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: Ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.QueueDeclareAsync("stuck", durable: false, exclusive: false, autoDelete: false, cancellationToken: Ct);
        await channel.QueueDeclareAsync("other", durable: false, exclusive: false, autoDelete: false, cancellationToken: Ct);

        // An acking consumer with prefetch 0 (unlimited) on a socket nobody reads.
        await using var stuck = await RawAmqpSocket.ConnectAsync(server.AmqpUri, receiveBufferSize: 64 * 1024);
        await stuck.HandshakeAsync();
        await stuck.OpenChannelAsync(1);
        await stuck.SendMethodAsync(1, 60, 20, w => w.Short(0).ShortStr("stuck").ShortStr("raw").Octet(0).EmptyTable());
        await stuck.ExpectMethodAsync(60, 21);

        var body = new byte[MessageSize];
        for (var i = 0; i < MessageCount; i++) await channel.BasicPublishAsync("", "stuck", body, Ct);
        await channel.QueueDeclarePassiveAsync("stuck", Ct); // a round trip: every publish is in

        var queue = server.Broker.VirtualHosts.First().GetQueue("stuck", connection: null);
        Assert.Equal(MessageCount, queue.MessageCount + queue.UnackedCount);
        Assert.True((long)queue.UnackedCount * MessageSize <= MaxInFlightBytes,
            $"{queue.UnackedCount} messages ({queue.UnackedCount * (long)MessageSize / 1024 / 1024} MiB) went to a client that reads nothing");

        // Other clients are served meanwhile.
        await using var otherConnection = await factory.CreateConnectionAsync(Ct);
        await using var otherChannel = await otherConnection.CreateChannelAsync(cancellationToken: Ct);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(otherChannel);
        consumer.ReceivedAsync += (_, _) => { received.TrySetResult(); return Task.CompletedTask; };
        await otherChannel.BasicConsumeAsync("other", autoAck: true, consumer, Ct);
        await channel.BasicPublishAsync("", "other", "hello"u8.ToArray(), Ct);
        await received.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Once it reads, everything arrives.
        var deliveries = 0;
        while (deliveries < MessageCount)
        {
            var frame = await stuck.ReadFrameAsync();
            if (frame.Is(60, 60)) deliveries++;
        }
        Assert.Equal(MessageCount, queue.UnackedCount);
        Assert.Equal(0, queue.MessageCount);
    }
}
