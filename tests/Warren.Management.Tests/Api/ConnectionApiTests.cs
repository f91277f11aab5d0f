using System.Net;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

public abstract class ConnectionApiTests(ApiTarget target) : ApiTest(target)
{
    private async Task<JsonNode> FindConnectionAsync(string clientName) =>
        (await EventuallyAsync(async () => (await GetOkAsync("api/connections")).AsArray().FirstOrDefault(c => (string?)c!["user_provided_name"] == clientName
                || (string?)c!["client_properties"]?["connection_name"] == clientName),
            c => c is not null, $"connection {clientName} to be listed"))!;

    [Fact]
    public async Task A_connection_is_listed_with_its_user_vhost_and_client_properties()
    {
        var clientName = NewName("conn");
        await ConnectAsync(clientName);
        var connection = await FindConnectionAsync(clientName);
        Assert.Equal("guest", (string?)connection["user"]);
        Assert.Equal("/", (string?)connection["vhost"]);
        Assert.Equal("AMQP 0-9-1", (string?)connection["protocol"]);
        Assert.Equal("127.0.0.1", (string?)connection["peer_host"]);
        Assert.Equal(Target.AmqpUri!.Port, (int)connection["port"]!);
        Assert.Contains(" -> ", (string?)connection["name"]);
        Assert.Equal("PLAIN", (string?)connection["auth_mechanism"]);
    }

    [Fact]
    public async Task Deleting_a_connection_closes_it_with_the_x_reason()
    {
        var clientName = NewName("conn");
        var amqp = await ConnectAsync(clientName);
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        amqp.ConnectionShutdownAsync += (_, e) => { closed.TrySetResult(e); return Task.CompletedTask; };
        var name = (string)(await FindConnectionAsync(clientName))["name"]!;

        using var request = new HttpRequestMessage(HttpMethod.Delete, Path("connections", name));
        request.Headers.Add("X-Reason", "maintenance window");
        var response = await Http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var reason = await closed.Task.WaitAsync(Timeout, Ct);
        Assert.Equal(320, reason.ReplyCode);
        Assert.Contains("maintenance window", reason.ReplyText);
    }

    [Fact]
    public async Task Channels_and_consumers_are_listed_with_their_connection()
    {
        var clientName = NewName("conn");
        var amqp = await ConnectAsync(clientName);
        var channel = await amqp.CreateChannelAsync(cancellationToken: Ct);
        await channel.BasicQosAsync(0, 7, false, Ct);
        var queue = await PutQueueAsync();
        var tag = await channel.BasicConsumeAsync(queue, false, NewName("tag"), new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel), Ct);
        var connectionName = (string)(await FindConnectionAsync(clientName))["name"]!;

        var channels = await EventuallyAsync(async () => (await GetOkAsync(Path("connections", connectionName, "channels"))).AsArray(),
            c => c.Count == 1 && (int?)c[0]!["consumer_count"] == 1, "the channel with its consumer");
        Assert.Equal(1, (int)channels[0]!["number"]!);
        Assert.Equal(7, (int)channels[0]!["prefetch_count"]!);
        Assert.Equal(connectionName, (string?)channels[0]!["connection_details"]!["name"]);

        var consumers = await EventuallyAsync(async () => (await GetOkAsync("api/consumers/%2F")).AsArray().Where(c => (string?)c!["consumer_tag"] == tag).ToList(),
            c => c.Count == 1, "the consumer");
        Assert.Equal(queue, (string?)consumers[0]!["queue"]!["name"]);
        Assert.True((bool)consumers[0]!["ack_required"]!);
        Assert.Equal(7, (int)consumers[0]!["prefetch_count"]!);
        Assert.Equal(connectionName, (string?)consumers[0]!["channel_details"]!["connection_name"]);
    }

    [Fact]
    public async Task An_unknown_connection_is_404()
    {
        AssertError(HttpStatusCode.NotFound, await GetAsync(Path("connections", "127.0.0.1:1 -> 127.0.0.1:2")));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ConnectionApiTests_on_Warren(WarrenApiFixture f) : ConnectionApiTests(f.Target);

public sealed class ConnectionApiTests_on_RabbitMq(RabbitMqApiFixture f) : ConnectionApiTests(f.Target);
