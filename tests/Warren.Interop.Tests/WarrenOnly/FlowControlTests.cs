using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Broker.Resources;
using Warren.Server;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>
/// Resource alarms block publishers with connection.blocked and lose nothing. Warren only: the
/// alarm is raised by lowering the limit of a server of the test's own, which a shared RabbitMQ
/// node cannot offer without disturbing other tests.
/// </summary>
public sealed class FlowControlTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_memory_alarm_blocks_publishers_and_releases_them_without_losing_messages()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: Ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        await using var publisher = await factory.CreateConnectionAsync(Ct);
        await using var consumerConnection = await factory.CreateConnectionAsync(Ct);
        var blocked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var unblocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        publisher.ConnectionBlockedAsync += (_, e) => { blocked.TrySetResult(e.Reason); return Task.CompletedTask; };
        publisher.ConnectionUnblockedAsync += (_, _) => { unblocked.TrySetResult(); return Task.CompletedTask; };
        await using var channel = await publisher.CreateChannelAsync(cancellationToken: Ct);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: false, autoDelete: false, cancellationToken: Ct)).QueueName;
        await channel.BasicPublishAsync("", queue, "before"u8.ToArray(), Ct);
        Assert.Equal(1u, (await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount); // a round trip: "before" is in

        server.Broker.Monitor.MemoryLimit = 0;
        server.Broker.Monitor.Check();
        Assert.True(server.Broker.Alarms.Active.HasFlag(ResourceAlarm.Memory));
        await channel.BasicPublishAsync("", queue, "during"u8.ToArray(), Ct);

        Assert.Equal("low on memory", await blocked.Task.WaitAsync(Timeout, Ct));
        // The blocked publish is held back, not dropped; consumers keep draining meanwhile.
        await using var consumerChannel = await consumerConnection.CreateChannelAsync(cancellationToken: Ct);
        var first = await consumerChannel.BasicGetAsync(queue, autoAck: true, Ct);
        Assert.Equal("before", System.Text.Encoding.UTF8.GetString(first!.Body.Span));
        Assert.Null(await consumerChannel.BasicGetAsync(queue, autoAck: true, Ct));

        server.Broker.Monitor.MemoryLimit = long.MaxValue;
        server.Broker.Monitor.Check();
        await unblocked.Task.WaitAsync(Timeout, Ct);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += (_, e) => { received.TrySetResult(System.Text.Encoding.UTF8.GetString(e.Body.Span)); return Task.CompletedTask; };
        await consumerChannel.BasicConsumeAsync(queue, autoAck: true, consumer, Ct);
        Assert.Equal("during", await received.Task.WaitAsync(Timeout, Ct));
    }

    [Fact]
    public async Task A_disk_alarm_blocks_publishers_of_a_server_with_a_data_folder()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("warren-flow-").FullName;
        try
        {
            await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0, DataDirectory = dataDirectory }, cancellationToken: Ct);
            var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
            await using var publisher = await factory.CreateConnectionAsync(Ct);
            var blocked = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            publisher.ConnectionBlockedAsync += (_, e) => { blocked.TrySetResult(e.Reason); return Task.CompletedTask; };
            await using var channel = await publisher.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
            var queue = (await channel.QueueDeclareAsync("stored", true, false, false, cancellationToken: Ct)).QueueName;
            await channel.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true }, "kept"u8.ToArray(), Ct);

            server.Broker.Monitor.DiskFreeLimit = long.MaxValue;
            server.Broker.Monitor.Check();
            var held = channel.BasicPublishAsync("", queue, true, new BasicProperties { Persistent = true }, "held"u8.ToArray(), Ct).AsTask();

            Assert.Equal("low on disk", await blocked.Task.WaitAsync(Timeout, Ct));
            Assert.False(held.IsCompleted);
            server.Broker.Monitor.DiskFreeLimit = 0;
            server.Broker.Monitor.Check();
            await held.WaitAsync(Timeout, Ct);
            Assert.Equal(2u, (await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}

/// <summary>Server limits against abuse (Warren only: the limits belong to a server of the test's own).</summary>
public sealed class ServerLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connections_beyond_the_limit_are_refused_and_the_others_keep_working()
    {
        var options = new WarrenServerOptions { Port = 0, Amqp = Warren.Amqp.Connections.AmqpOptions.Default with { MaxConnections = 1 } };
        await using var server = await WarrenServer.StartAsync(options, cancellationToken: Ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        await using var first = await factory.CreateConnectionAsync(Ct);

        await Assert.ThrowsAnyAsync<RabbitMQ.Client.Exceptions.BrokerUnreachableException>(() => factory.CreateConnectionAsync(Ct));

        await using var channel = await first.CreateChannelAsync(cancellationToken: Ct);
        Assert.True(channel.IsOpen);
    }

    [Fact]
    public async Task A_message_larger_than_the_maximum_size_closes_the_channel_with_precondition_failed()
    {
        var options = new WarrenServerOptions { Port = 0, Amqp = Warren.Amqp.Connections.AmqpOptions.Default with { MaxMessageSize = 1024 } };
        await using var server = await WarrenServer.StartAsync(options, cancellationToken: Ct);
        var factory = new ConnectionFactory { Uri = server.AmqpUri, AutomaticRecoveryEnabled = false };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        channel.ChannelShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };

        await channel.BasicPublishAsync("", "anywhere", new byte[2048], Ct);

        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal((406, "PRECONDITION_FAILED - message size 2048 is larger than configured max size 1024"), (reason.ReplyCode, reason.ReplyText));
        Assert.True(connection.IsOpen);
    }
}
