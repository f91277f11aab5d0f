using System.Diagnostics;
using System.Text.Json.Nodes;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Tools;

/// <summary>The real rabbitmqadmin (Debian's rabbitmq-server package) driven against the API.</summary>
public abstract class RabbitmqadminTests(ApiTarget target) : ApiTest(target)
{
    private const string Tool = "/usr/bin/rabbitmqadmin";

    public override ValueTask InitializeAsync()
    {
        if (!File.Exists(Tool)) Assert.Skip($"{Tool} is not installed (Debian's rabbitmq-server package)");
        return base.InitializeAsync();
    }

    private async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Tool);
        foreach (var a in new[] { "-H", Target.ApiUri!.Host, "-P", Target.ApiUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", "guest", "-p", "guest" }) start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(Timeout, Ct);
        Assert.True(process.ExitCode == 0, $"rabbitmqadmin {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}");
        return await output;
    }

    private async Task<JsonArray> ListAsync(string what, params string[] columns) =>
        JsonNode.Parse(await RunAsync(["-f", "raw_json", "list", what, .. columns]))!.AsArray();

    [Fact]
    public async Task Declares_binds_publishes_gets_and_deletes()
    {
        var queue = NewName("adm");
        var exchange = NewName("admx");
        Assert.Contains("queue declared", await RunAsync("declare", "queue", $"name={queue}", "durable=false"));
        Assert.Contains("exchange declared", await RunAsync("declare", "exchange", $"name={exchange}", "type=topic", "durable=false"));
        Assert.Contains("binding declared", await RunAsync("declare", "binding", $"source={exchange}", $"destination={queue}", "routing_key=a.#"));

        Assert.Contains(await ListAsync("queues", "name", "durable"), q => (string?)q!["name"] == queue);
        Assert.Contains(await ListAsync("exchanges", "name", "type"), x => (string?)x!["name"] == exchange && (string?)x["type"] == "topic");
        Assert.Contains(await ListAsync("bindings", "source", "destination", "routing_key"),
            b => (string?)b!["source"] == exchange && (string?)b["destination"] == queue && (string?)b["routing_key"] == "a.#");

        Assert.Contains("Message published", await RunAsync("publish", $"exchange={exchange}", "routing_key=a.b", "payload=hello"));
        var got = JsonNode.Parse(await RunAsync("-f", "raw_json", "get", $"queue={queue}", "ackmode=ack_requeue_false"))!.AsArray();
        Assert.Equal("hello", (string?)Assert.Single(got)!["payload"]);

        Assert.Contains("binding deleted", await RunAsync("delete", "binding", $"source={exchange}", "destination_type=queue", $"destination={queue}", "properties_key=a.%23"));
        Assert.DoesNotContain(await ListAsync("bindings", "source", "destination"), b => (string?)b!["source"] == exchange);
        Assert.Contains("queue purged", await RunAsync("purge", "queue", $"name={queue}"));
        Assert.Contains("queue deleted", await RunAsync("delete", "queue", $"name={queue}"));
        Assert.Contains("exchange deleted", await RunAsync("delete", "exchange", $"name={exchange}"));
        Assert.DoesNotContain(await ListAsync("queues", "name"), q => (string?)q!["name"] == queue);
    }

    [Fact]
    public async Task Lists_vhosts_nodes_connections_and_shows_the_overview()
    {
        Assert.Contains(await ListAsync("vhosts", "name"), v => (string?)v!["name"] == "/");
        Assert.Single(await ListAsync("nodes", "name"));
        await ListAsync("connections", "name");
        await ListAsync("channels", "name");
        await ListAsync("consumers");
        Assert.Contains("object_totals", await RunAsync("-f", "raw_json", "show", "overview"));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class RabbitmqadminTests_on_Warren(WarrenApiFixture f) : RabbitmqadminTests(f.Target);

public sealed class RabbitmqadminTests_on_RabbitMq(RabbitMqApiFixture f) : RabbitmqadminTests(f.Target);
