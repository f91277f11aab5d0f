using System.Net;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Api;

public abstract class OverviewApiTests(ApiTarget target) : ApiTest(target)
{
    [Fact]
    public async Task The_overview_has_object_totals_queue_totals_and_listeners()
    {
        var overview = await GetOkAsync("api/overview");
        Assert.True((int)overview["object_totals"]!["exchanges"]! >= 6);
        Assert.NotNull(overview["object_totals"]!["queues"]);
        Assert.NotNull(overview["object_totals"]!["connections"]);
        Assert.NotNull(overview["queue_totals"]);
        Assert.NotNull(overview["node"]);
        Assert.Contains(overview["listeners"]!.AsArray(), l => (string?)l!["protocol"] == "amqp" && (int)l["port"]! == Target.AmqpUri!.Port);
        Assert.Equal(4, overview["exchange_types"]!.AsArray().Count);
    }

    [Fact]
    public async Task Whoami_names_the_user_and_its_tags()
    {
        var me = await GetOkAsync("api/whoami");
        Assert.Equal("guest", (string?)me["name"]);
        Assert.Contains("administrator", me["tags"]!.ToJsonString());
    }

    [Fact]
    public async Task Nodes_lists_one_running_node_with_memory_and_disk()
    {
        var node = Assert.Single((await GetOkAsync("api/nodes")).AsArray())!;
        Assert.True((bool)node["running"]!);
        Assert.True((long)node["mem_used"]! > 0);
        Assert.True((long)node["mem_limit"]! > 0);
        Assert.False((bool)node["mem_alarm"]!);
        Assert.False((bool)node["disk_free_alarm"]!);
        Assert.NotNull(node["disk_free_limit"]);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(Path("nodes", (string)node["name"]!))).Status);
    }

    [Theory]
    [InlineData("api/health/checks/alarms")]
    [InlineData("api/health/checks/local-alarms")]
    [InlineData("api/health/checks/virtual-hosts")]
    [InlineData("api/health/checks/node-is-quorum-critical")]
    [InlineData("api/health/checks/protocol-listener/amqp")]
    [InlineData("api/aliveness-test/%2F")]
    public async Task A_healthy_node_passes_the_health_checks(string path)
    {
        Assert.Equal("ok", (string?)(await GetOkAsync(path))["status"]);
    }

    [Fact]
    public async Task The_port_listener_check_passes_for_the_amqp_port_and_fails_with_503_for_another()
    {
        Assert.Equal("ok", (string?)(await GetOkAsync($"api/health/checks/port-listener/{Target.AmqpUri!.Port}"))["status"]);
        var (status, body, _) = await GetAsync("api/health/checks/port-listener/1");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("failed", (string?)body!["status"]);
    }

    [Fact]
    public async Task The_default_virtual_host_is_listed_and_shown()
    {
        var list = (await GetOkAsync("api/vhosts")).AsArray();
        Assert.Contains(list, v => (string?)v!["name"] == "/");
        var host = await GetOkAsync("api/vhosts/%2F");
        Assert.Equal("/", (string?)host["name"]);
        Assert.NotNull(host["messages"]);
    }

    [Fact]
    public async Task Feature_flags_are_listed_with_their_state()
    {
        var flags = (await GetOkAsync("api/feature-flags")).AsArray();
        Assert.Contains(flags, f => (string?)f!["name"] == "quorum_queue" && (string?)f["state"] == "enabled");
    }
}

[Collection(WarrenCollection.Name)]
public sealed class OverviewApiTests_on_Warren(WarrenApiFixture f) : OverviewApiTests(f.Target);

public sealed class OverviewApiTests_on_RabbitMq(RabbitMqApiFixture f) : OverviewApiTests(f.Target);
