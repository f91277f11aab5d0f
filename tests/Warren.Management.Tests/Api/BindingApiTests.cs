using System.Net;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

public abstract class BindingApiTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task Creating_a_binding_answers_201_with_a_location_of_its_properties_key()
    {
        var queue = await PutQueueAsync();
        var exchange = await PutExchangeAsync("topic");
        var reply = await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", exchange, "q", queue), """{"routing_key":"a.#"}""");
        Assert.Equal(HttpStatusCode.Created, reply.Status);
        var location = reply.Response.Headers.Location?.ToString();
        Assert.Equal($"{queue}/a.%2523", location);

        var binding = Assert.Single((await GetOkAsync(Path("bindings", "/", "e", exchange, "q", queue))).AsArray())!;
        Assert.Equal("a.#", (string?)binding["routing_key"]);
        Assert.Equal("a.%23", (string?)binding["properties_key"]);
        Assert.Equal(exchange, (string?)binding["source"]);
    }

    [Fact]
    public async Task A_binding_with_arguments_has_a_distinct_properties_key_and_is_deleted_by_it()
    {
        var queue = await PutQueueAsync();
        var exchange = await PutExchangeAsync("headers");
        await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", exchange, "q", queue), """{"routing_key":"","arguments":{"x-match":"all","a":1}}""");
        await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", exchange, "q", queue), """{"routing_key":""}""");
        var bindings = (await GetOkAsync(Path("bindings", "/", "e", exchange, "q", queue))).AsArray();
        Assert.Equal(2, bindings.Count);
        var withArguments = bindings.Single(b => b!["arguments"]!.AsObject().Count > 0)!;
        var key = (string)withArguments["properties_key"]!;
        Assert.StartsWith("~", key);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Path("bindings", "/", "e", exchange, "q", queue, key))).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, Path("bindings", "/", "e", exchange, "q", queue, key))).Status);
        var left = Assert.Single((await GetOkAsync(Path("bindings", "/", "e", exchange, "q", queue))).AsArray())!;
        Assert.Empty(left["arguments"]!.AsObject());
        AssertError(HttpStatusCode.NotFound, await SendAsync(HttpMethod.Delete, Path("bindings", "/", "e", exchange, "q", queue, key)));
    }

    [Fact]
    public async Task Binding_to_a_missing_queue_is_404()
    {
        var reply = await SendAsync(HttpMethod.Post, Path("bindings", "/", "e", "amq.direct", "q", NewName("missing")), """{"routing_key":"k"}""");
        AssertError(HttpStatusCode.NotFound, reply);
    }

    [Fact]
    public async Task A_vhost_binding_list_includes_the_default_exchange_bindings()
    {
        var queue = await PutQueueAsync();
        var list = (await GetOkAsync("api/bindings/%2F")).AsArray();
        Assert.Contains(list, b => (string?)b!["source"] == "" && (string?)b["destination"] == queue && (string?)b["routing_key"] == queue);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class BindingApiTests_on_Warren(WarrenApiFixture f) : BindingApiTests(f.Target);

public sealed class BindingApiTests_on_RabbitMq(RabbitMqApiFixture f) : BindingApiTests(f.Target);
