using System.Text;
using RabbitMQ.Client;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

/// <summary>message_stats counts what AMQP clients do; RabbitMQ reports them every few seconds, so the cases poll.</summary>
public abstract class MessageStatsTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task Publishes_deliveries_acks_and_gets_are_counted_on_the_queue_and_the_channel()
    {
        var queue = await PutQueueAsync();
        var clientName = NewName("stats");
        var connection = await ConnectAsync(clientName);
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        for (var i = 0; i < 3; i++) await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("m"), Ct);
        var got = await channel.BasicGetAsync(queue, autoAck: false, Ct);
        Assert.NotNull(got);
        await channel.BasicAckAsync(got.DeliveryTag, false, Ct);
        await channel.BasicGetAsync(queue, autoAck: true, Ct);

        var stats = await EventuallyAsync(async () => (await GetOkAsync(Path("queues", "/", queue)))["message_stats"],
            s => s?["publish"] is not null && (int)s["publish"]! == 3 && s["ack"] is not null && (int)s["ack"]! == 1 && s["get_no_ack"] is not null && (int)s["get_no_ack"]! == 1,
            "queue message_stats");
        Assert.Equal(1, (int)stats!["get"]!);
        Assert.Equal(2, (int)stats["deliver_get"]!);
        Assert.NotNull(stats["publish_details"]!["rate"]);

        var connectionName = await EventuallyAsync(async () => (string?)(await GetOkAsync("api/connections")).AsArray()
                .FirstOrDefault(c => (string?)c!["user_provided_name"] == clientName || (string?)c!["client_properties"]?["connection_name"] == clientName)?["name"],
            n => n is not null, "the connection");
        var channelStats = await EventuallyAsync(async () => (await GetOkAsync(Path("connections", connectionName!, "channels"))).AsArray().FirstOrDefault()?["message_stats"],
            s => s?["confirm"] is not null && (int)s["confirm"]! == 3 && s["publish"] is not null && (int)s["publish"]! == 3, "channel message_stats");
        Assert.Equal(1, (int)channelStats!["ack"]!);
        Assert.NotNull(channelStats["confirm_details"]!["rate"]);
    }

    [Fact]
    public async Task An_exchange_counts_messages_in_and_out()
    {
        var exchange = await PutExchangeAsync("fanout");
        var queue = await PutQueueAsync();
        await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", exchange, "q", queue), "{}");
        var connection = await ConnectAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        await channel.BasicPublishAsync(exchange, "", Encoding.UTF8.GetBytes("m"), Ct);
        await channel.BasicPublishAsync(exchange, "", Encoding.UTF8.GetBytes("m"), Ct);
        var stats = await EventuallyAsync(async () => (await GetOkAsync(Path("exchanges", "/", exchange)))["message_stats"],
            s => s?["publish_in"] is not null && (int)s["publish_in"]! == 2 && s["publish_out"] is not null && (int)s["publish_out"]! == 2, "exchange message_stats");
        Assert.NotNull(stats!["publish_in_details"]!["rate"]);
    }

    [Fact]
    public async Task The_overview_and_virtual_host_count_publishes()
    {
        var queue = await PutQueueAsync();
        long Published(System.Text.Json.Nodes.JsonNode? n) => n?["message_stats"]?["publish"] is { } p ? (long)p : 0;
        var before = Published(await GetOkAsync("api/vhosts/%2F"));
        var connection = await ConnectAsync();
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct);
        for (var i = 0; i < 4; i++) await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes("m"), Ct);
        await EventuallyAsync(async () => Published(await GetOkAsync("api/vhosts/%2F")), n => n >= before + 4, "vhost publish count");
        await EventuallyAsync(async () => Published(await GetOkAsync("api/overview")), n => n >= before + 4, "overview publish count");
    }
}

[Collection(WarrenCollection.Name)]
public sealed class MessageStatsTests_on_Warren(WarrenApiFixture f) : MessageStatsTests(f.Target);

public sealed class MessageStatsTests_on_RabbitMq(RabbitMqApiFixture f) : MessageStatsTests(f.Target);
