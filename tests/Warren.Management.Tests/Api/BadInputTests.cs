using System.Net;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

/// <summary>Bad input gets RabbitMQ's status and a reason, never a 500.</summary>
public abstract class BadInputTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task Malformed_json_is_400_not_json()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("queues", "/", NewName("q")), "{bad");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("not_json", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task A_field_of_the_wrong_type_is_400()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("queues", "/", NewName("q")), """{"durable":"yes"}""");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("""["not_boolean","yes"]""", reply.Body!["reason"]!.ToJsonString());
    }

    [Fact]
    public async Task A_missing_virtual_host_is_404()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("queues", "no-such-vhost-" + Guid.NewGuid().ToString("N"), "q"), "{}");
        AssertError(HttpStatusCode.NotFound, reply);
        Assert.Equal("vhost_not_found", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task A_name_longer_than_255_bytes_is_400()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("queues", "/", new string('a', 300)), "{}");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("queue should be less than 255 bytes, actually was 300\n", (string?)reply.Body!["reason"]);
    }

    [Fact]
    public async Task An_invalid_regex_is_400()
    {
        var reply = await GetAsync("api/queues?page=1&name=(&use_regex=true");
        AssertError(HttpStatusCode.BadRequest, reply);
    }

    [Fact]
    public async Task Page_zero_is_400_invalid_pagination_parameters()
    {
        var reply = await GetAsync("api/exchanges?page=0");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("invalid_pagination_parameters", (string?)reply.Body!["error"]);
    }

    [Fact]
    public async Task An_unsupported_method_is_405()
    {
        var (status, _, _) = await SendAsync(HttpMethod.Post, Path("queues", "/", NewName("q")), "{}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
    }

    [Fact]
    public async Task Wrong_credentials_are_401_with_a_reason()
    {
        using var client = Target.CreateClient("guest", "wrong");
        var reply = await SendAsync(HttpMethod.Get, "api/overview", client: client);
        AssertError(HttpStatusCode.Unauthorized, reply);
        Assert.Equal("Login failed", (string?)reply.Body!["reason"]);
        Assert.Contains(reply.Response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task An_unknown_exchange_type_is_400()
    {
        var reply = await SendAsync(HttpMethod.Put, Path("exchanges", "/", NewName("x")), """{"type":"nope"}""");
        AssertError(HttpStatusCode.BadRequest, reply);
    }

    [Fact]
    public async Task A_publish_without_properties_is_400_naming_the_missing_keys()
    {
        var reply = await SendAsync(HttpMethod.Post, Path("exchanges", "/", "amq.direct", "publish"), """{"routing_key":"k","payload":"hi"}""");
        AssertError(HttpStatusCode.BadRequest, reply);
        Assert.Equal("[{key_missing,properties},{key_missing,payload_encoding}]", (string?)reply.Body!["reason"]);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class BadInputTests_on_Warren(WarrenApiFixture f) : BadInputTests(f.Target);

public sealed class BadInputTests_on_RabbitMq(RabbitMqApiFixture f) : BadInputTests(f.Target);
