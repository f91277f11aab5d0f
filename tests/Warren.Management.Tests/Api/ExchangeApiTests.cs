using System.Net;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

public abstract class ExchangeApiTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task An_exchange_is_created_shown_and_deleted()
    {
        var name = await PutExchangeAsync("topic");
        var exchange = await GetOkAsync(Path("exchanges", "/", name));
        Assert.Equal("topic", (string?)exchange["type"]);
        Assert.False((bool)exchange["durable"]!);
        Assert.False((bool)exchange["internal"]!);
        Assert.Equal("/", (string?)exchange["vhost"]);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, Path("exchanges", "/", name))).Status);
        AssertError(HttpStatusCode.NotFound, await GetAsync(Path("exchanges", "/", name)));
    }

    [Fact]
    public async Task The_default_exchange_is_listed_with_an_empty_name()
    {
        var list = (await GetOkAsync("api/exchanges/%2F")).AsArray();
        Assert.Contains(list, x => (string?)x!["name"] == "" && (string?)x["type"] == "direct");
        Assert.Contains(list, x => (string?)x!["name"] == "amq.topic");
    }

    [Fact]
    public async Task A_reserved_name_is_refused_with_401()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("exchanges", "/", "amq." + Guid.NewGuid().ToString("N")), """{"type":"direct"}""");
        AssertError(HttpStatusCode.Unauthorized, reply);
    }

    [Fact]
    public async Task Publishing_answers_whether_the_message_was_routed()
    {
        var queue = await PutQueueAsync();
        Assert.True((bool)(await PublishAsync("amq.default", queue, "hello"))["routed"]!);
        Assert.False((bool)(await PublishAsync("amq.direct", NewName("nobody"), "hello"))["routed"]!);
        var message = (await SendAsync(HttpMethod.Post, Path("queues", "/", queue, "get"), """{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}""")).Body!.AsArray()[0]!;
        Assert.Equal("hello", (string?)message["payload"]);
    }

    [Fact]
    public async Task Base64_payloads_are_decoded_before_publishing()
    {
        var queue = await PutQueueAsync();
        await PublishAsync("amq.default", queue, Convert.ToBase64String([0, 1, 2, 255]), "base64");
        var message = (await SendAsync(HttpMethod.Post, Path("queues", "/", queue, "get"), """{"count":1,"ackmode":"ack_requeue_false","encoding":"auto"}""")).Body!.AsArray()[0]!;
        Assert.Equal(4, (int)message["payload_bytes"]!);
        Assert.Equal("base64", (string?)message["payload_encoding"]);
        Assert.Equal(Convert.ToBase64String([0, 1, 2, 255]), (string?)message["payload"]);
    }

    [Fact]
    public async Task Exchange_bindings_are_listed_by_source_and_destination()
    {
        var source = await PutExchangeAsync("direct");
        var destination = await PutExchangeAsync("fanout");
        var created = await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", source, "e", destination), """{"routing_key":"k"}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var outgoing = (await GetOkAsync(Path("exchanges", "/", source, "bindings", "source"))).AsArray();
        var binding = Assert.Single(outgoing);
        Assert.Equal(destination, (string?)binding!["destination"]);
        Assert.Equal("exchange", (string?)binding["destination_type"]);
        var incoming = (await GetOkAsync(Path("exchanges", "/", destination, "bindings", "destination"))).AsArray();
        Assert.Equal(source, (string?)Assert.Single(incoming)!["source"]);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ExchangeApiTests_on_Warren(WarrenApiFixture f) : ExchangeApiTests(f.Target);

public sealed class ExchangeApiTests_on_RabbitMq(RabbitMqApiFixture f) : ExchangeApiTests(f.Target);
