using System.Net;
using System.Text.Json.Nodes;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

public abstract class QueueApiTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task Putting_a_new_queue_answers_201_and_again_204()
    {
        var name = await PutQueueAsync();
        var (status, _, _) = await SendAsync(HttpMethod.Put, Path("queues", "/", name), """{"durable":false}""");
        Assert.Equal(HttpStatusCode.NoContent, status);
    }

    [Fact]
    public async Task A_queue_shows_RabbitMQs_fields()
    {
        var name = await PutQueueAsync(body: """{"durable":false,"arguments":{"x-max-length":10}}""");
        var queue = await GetOkAsync(Path("queues", "/", name));
        Assert.Equal(name, (string?)queue["name"]);
        Assert.Equal("/", (string?)queue["vhost"]);
        Assert.False((bool)queue["durable"]!);
        Assert.False((bool)queue["auto_delete"]!);
        Assert.False((bool)queue["exclusive"]!);
        Assert.Equal(10, (int)queue["arguments"]!["x-max-length"]!);
        Assert.Equal("classic", (string?)queue["type"]);
        Assert.NotNull(queue["consumer_details"]);
    }

    [Fact]
    public async Task Redeclaring_with_another_durability_is_400_naming_the_argument()
    {
        var name = await PutQueueAsync();
        var reply = await SendAsync(HttpMethod.Put, Path("queues", "/", name), """{"durable":true}""");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal($"inequivalent arg 'durable' for queue '{name}' in vhost '/': received 'true' but current is 'false'", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task Deleting_a_queue_answers_204_then_the_queue_is_404()
    {
        var name = await PutQueueAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, Path("queues", "/", name))).Status);
        var reply = await GetAsync(Path("queues", "/", name));
        AssertError(HttpStatusCode.NotFound, reply);
        Assert.Equal("Object Not Found", (string?)reply.Body!["error"]);
        AssertError(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Delete, Path("queues", "/", name)));
    }

    [Fact]
    public async Task If_empty_refuses_to_delete_a_queue_with_messages()
    {
        var name = await PutQueueAsync();
        await PublishAsync("amq.default", name, "m");
        var reply = await SendAsync(HttpMethod.Delete, Path("queues", "/", name) + "?if-empty=true");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal($"queue '{name}' in vhost '/' not empty", (string?)reply.Body!["reason"]);
        Assert.NotNull(await GetOkAsync(Path("queues", "/", name)));
    }

    [Fact]
    public async Task If_unused_refuses_to_delete_a_queue_with_a_consumer()
    {
        var name = await PutQueueAsync();
        var connection = await ConnectAsync();
        var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        await channel.BasicConsumeAsync(name, true, "", false, false, null, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel), Ct);
        var reply = await SendAsync(HttpMethod.Delete, Path("queues", "/", name) + "?if-unused=true");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal($"queue '{name}' in vhost '/' in use", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task Get_with_ack_requeue_true_leaves_the_messages_redelivered()
    {
        var name = await PutQueueAsync();
        await PublishAsync("amq.default", name, "one", properties: """{"content_type":"text/plain","headers":{"h":1}}""");
        await PublishAsync("amq.default", name, "two");
        var (status, body, _) = await SendAsync(HttpMethod.Post, Path("queues", "/", name, "get"), """{"count":5,"ackmode":"ack_requeue_true","encoding":"auto"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var messages = body!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("one", (string?)messages[0]!["payload"]);
        Assert.Equal("string", (string?)messages[0]!["payload_encoding"]);
        Assert.Equal(3, (int)messages[0]!["payload_bytes"]!);
        Assert.Equal(name, (string?)messages[0]!["routing_key"]);
        Assert.Equal("", (string?)messages[0]!["exchange"]);
        Assert.Equal(1, (int)messages[0]!["message_count"]!);
        Assert.Equal("text/plain", (string?)messages[0]!["properties"]!["content_type"]);
        Assert.Equal(1, (int)messages[0]!["properties"]!["headers"]!["h"]!);
        Assert.Equal("two", (string?)messages[1]!["payload"]);

        var again = (await SendAsync(HttpMethod.Post, Path("queues", "/", name, "get"), """{"count":1,"ackmode":"ack_requeue_false","encoding":"base64"}""")).Body!.AsArray();
        Assert.True((bool)again[0]!["redelivered"]!);
        Assert.Equal("base64", (string?)again[0]!["payload_encoding"]);
        Assert.Equal(Convert.ToBase64String("one"u8.ToArray()), (string?)again[0]!["payload"]);
        var left = (await SendAsync(HttpMethod.Post, Path("queues", "/", name, "get"), """{"count":5,"ackmode":"ack_requeue_true","encoding":"auto"}""")).Body!.AsArray();
        Assert.Equal("two", (string?)Assert.Single(left)!["payload"]);
    }

    [Fact]
    public async Task Get_without_ackmode_is_400_naming_the_missing_keys()
    {
        var name = await PutQueueAsync();
        var reply = await SendAsync(HttpMethod.Post, Path("queues", "/", name, "get"), """{"count":1}""");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("[{key_missing,ackmode},{key_missing,encoding}]", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task Deleting_the_contents_purges_the_queue()
    {
        var name = await PutQueueAsync();
        await PublishAsync("amq.default", name, "a");
        await PublishAsync("amq.default", name, "b");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, Path("queues", "/", name, "contents"))).Status);
        var messages = (await SendAsync(HttpMethod.Post, Path("queues", "/", name, "get"), """{"count":5,"ackmode":"ack_requeue_false","encoding":"auto"}""")).Body!.AsArray();
        Assert.Empty(messages);
    }

    [Fact]
    public async Task A_queue_lists_its_default_and_explicit_bindings()
    {
        var name = await PutQueueAsync();
        await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", "amq.direct", "q", name), """{"routing_key":"rk"}""");
        var bindings = (await GetOkAsync(Path("queues", "/", name, "bindings"))).AsArray();
        Assert.Equal(2, bindings.Count);
        Assert.Equal("", (string?)bindings[0]!["source"]);
        Assert.Equal(name, (string?)bindings[0]!["routing_key"]);
        Assert.Equal("amq.direct", (string?)bindings[1]!["source"]);
        Assert.Equal("rk", (string?)bindings[1]!["routing_key"]);
        Assert.Equal("queue", (string?)bindings[1]!["destination_type"]);
    }

    [Fact]
    public async Task A_paged_list_has_RabbitMQs_envelope_and_filters_by_name()
    {
        var marker = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 3; i++) await PutQueueAsync($"mgmt.page.{marker}.{i}");
        var page = await GetOkAsync($"api/queues/%2F?page=1&page_size=2&name={marker}&columns=name,durable");
        Assert.Equal(3, (int)page["filtered_count"]!);
        Assert.Equal(2, (int)page["item_count"]!);
        Assert.Equal(2, (int)page["page_count"]!);
        Assert.Equal(2, (int)page["page_size"]!);
        Assert.Equal(1, (int)page["page"]!);
        Assert.True((int)page["total_count"]! >= 3);
        var items = page["items"]!.AsArray();
        Assert.Equal($"mgmt.page.{marker}.0", (string?)items[0]!["name"]);
        Assert.Equal(["durable", "name"], items[0]!.AsObject().Select(p => p.Key).Order());

        var regex = await GetOkAsync($"api/queues/%2F?page=2&page_size=2&name=^mgmt\\.page\\.{marker}\\.[0-9]$&use_regex=true&sort=name&sort_reverse=true");
        Assert.Equal($"mgmt.page.{marker}.0", (string?)regex["items"]![0]!["name"]);
    }

    [Fact]
    public async Task Without_paging_parameters_a_list_is_a_plain_array()
    {
        var name = await PutQueueAsync();
        var list = (await GetOkAsync("api/queues/%2F")).AsArray();
        Assert.Contains(list, q => (string?)q!["name"] == name);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class QueueApiTests_on_Warren(WarrenApiFixture f) : QueueApiTests(f.Target);

public sealed class QueueApiTests_on_RabbitMq(RabbitMqApiFixture f) : QueueApiTests(f.Target);
