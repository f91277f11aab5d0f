using Warren.Amqp.Protocol;

namespace Warren.Amqp.Tests.Conversations;

public sealed class ResourceConversationTests
{
    private static async Task DeclareAsync(PipeClient client, ushort channel, string queue, bool exclusive = false, bool autoDelete = false)
    {
        await client.SendAsync(channel, new QueueDeclare(queue, false, false, exclusive, autoDelete, false));
        await client.ExpectAsync(channel, QueueDeclareOk.Id, QueueDeclareOk.ReadFrom);
    }

    [Fact]
    public async Task An_exclusive_queue_is_deleted_when_its_connection_closes()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await DeclareAsync(client, 1, "mine", exclusive: true);
        Assert.True(client.Broker.TryGetVirtualHost("/", out var vhost));
        Assert.Contains(vhost.Queues, q => q.Name == "mine");

        await client.SendAsync(0, new ConnectionClose(200, "bye", 0, 0));
        await client.ExpectAsync(0, ConnectionCloseOk.Id, ConnectionCloseOk.ReadFrom);
        await client.WaitForRunToEndAsync();

        Assert.DoesNotContain(vhost.Queues, q => q.Name == "mine");
    }

    [Fact]
    public async Task Another_connection_cannot_use_an_exclusive_queue()
    {
        var broker = new Broker.Broker();
        await using var owner = new PipeClient(broker);
        await using var other = new PipeClient(broker);
        await owner.OpenAsync();
        await other.OpenAsync();
        await owner.OpenChannelAsync(1);
        await other.OpenChannelAsync(1);
        await DeclareAsync(owner, 1, "locked", exclusive: true);

        await other.SendAsync(1, new QueueDeclare("locked", Passive: true, false, false, false, false));
        var close = await other.ExpectAsync(1, ChannelClose.Id, ChannelClose.ReadFrom);

        Assert.Equal(405, close.ReplyCode);
        Assert.StartsWith("RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'locked' in vhost '/'", close.ReplyText);
    }

    [Fact]
    public async Task Closing_a_channel_requeues_its_unacknowledged_messages_as_redelivered()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await DeclareAsync(client, 1, "work");
        await client.PublishAsync(1, "", "work", "m"u8.ToArray());
        await client.SendAsync(1, new BasicGet("work", NoAck: false));
        await client.ExpectAsync(1, BasicGetOk.Id, BasicGetOk.ReadFrom);
        await client.ReadContentAsync(1);

        await client.SendAsync(1, new ChannelClose(200, "bye", 0, 0));
        await client.ExpectAsync(1, ChannelCloseOk.Id, ChannelCloseOk.ReadFrom);
        await client.OpenChannelAsync(2);
        await client.SendAsync(2, new BasicGet("work", NoAck: true));
        var again = await client.ExpectAsync(2, BasicGetOk.Id, BasicGetOk.ReadFrom);

        Assert.True(again.Redelivered);
    }

    [Fact]
    public async Task Cancelling_the_last_consumer_of_an_auto_delete_queue_deletes_it()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();
        await client.OpenChannelAsync(1);
        await DeclareAsync(client, 1, "temp", autoDelete: true);
        await client.SendAsync(1, new BasicConsume("temp", "ctag", false, true, false, false));
        await client.ExpectAsync(1, BasicConsumeOk.Id, BasicConsumeOk.ReadFrom);

        await client.SendAsync(1, new BasicCancel("ctag", NoWait: false));
        await client.ExpectAsync(1, BasicCancelOk.Id, BasicCancelOk.ReadFrom);

        Assert.True(client.Broker.TryGetVirtualHost("/", out var vhost));
        Assert.DoesNotContain(vhost.Queues, q => q.Name == "temp");
    }

    [Fact]
    public async Task Deleting_a_queue_with_a_consumer_sends_basic_cancel_to_a_client_that_asked_for_it()
    {
        await using var client = new PipeClient();
        var start = await client.StartAsync();
        var capabilities = new Dictionary<string, object?> { ["consumer_cancel_notify"] = true };
        await client.SendAsync(0, new ConnectionStartOk(new Dictionary<string, object?> { ["capabilities"] = capabilities }, "PLAIN", PipeClient.PlainResponse("guest", "guest"), "en_US"));
        var tune = await client.ExpectAsync(0, ConnectionTune.Id, ConnectionTune.ReadFrom);
        await client.SendAsync(0, new ConnectionTuneOk(tune.ChannelMax, tune.FrameMax, 0));
        await client.SendAsync(0, new ConnectionOpen("/"));
        await client.ExpectAsync(0, ConnectionOpenOk.Id, ConnectionOpenOk.ReadFrom);
        await client.OpenChannelAsync(1);
        await DeclareAsync(client, 1, "doomed");
        await client.SendAsync(1, new BasicConsume("doomed", "ctag", false, true, false, false));
        await client.ExpectAsync(1, BasicConsumeOk.Id, BasicConsumeOk.ReadFrom);

        await client.SendAsync(1, new QueueDelete("doomed", false, false, false));

        // basic.cancel and delete-ok may come in either order.
        var seen = new HashSet<uint>();
        for (var i = 0; i < 2; i++)
        {
            var frame = await client.ReadNonHeartbeatAsync();
            Assert.Equal(1, frame.Channel);
            seen.Add(frame.MethodId);
            if (frame.MethodId == BasicCancel.Id) Assert.Equal("ctag", BasicCancel.ReadFrom(frame.Arguments).ConsumerTag);
        }
        Assert.Equal(new HashSet<uint> { BasicCancel.Id, QueueDeleteOk.Id }, seen);
        Assert.NotNull(start.ServerProperties);
    }
}
