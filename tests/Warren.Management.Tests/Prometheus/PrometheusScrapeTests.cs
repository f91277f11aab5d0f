using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Warren.Management.Tests.Infrastructure;

namespace Warren.Management.Tests.Prometheus;

/// <summary>A scrape parsed as the text exposition format, with rabbitmq_prometheus's names and labels.</summary>
public abstract partial class PrometheusScrapeTests(ApiTarget target) : ApiTest(target)
{
    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>[^ ]+)( [0-9]+)?$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();

    [GeneratedRegex("""^# (TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|untyped|summary|histogram)|HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)$""")]
    private static partial Regex Comment();

    private async Task<List<Sample>> ScrapeAsync(string path)
    {
        using var client = new HttpClient { BaseAddress = Target.PrometheusUri, Timeout = TimeSpan.FromSeconds(30) };
        var response = await client.GetAsync(path, Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var samples = new List<Sample>();
        var typed = new HashSet<string>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                Assert.Matches(Comment(), line);
                if (line.StartsWith("# TYPE ", StringComparison.Ordinal)) Assert.True(typed.Add(line.Split(' ')[2]), $"family typed twice: {line}");
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not an exposition-format sample: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return samples;
    }

    [Fact]
    public async Task The_aggregated_scrape_has_identity_build_and_node_metrics()
    {
        var samples = await ScrapeAsync("metrics");
        var identity = Assert.Single(samples, s => s.Name == "rabbitmq_identity_info");
        Assert.True(identity.Labels.ContainsKey("rabbitmq_node"));
        Assert.True(identity.Labels.ContainsKey("rabbitmq_cluster"));
        Assert.Single(samples, s => s.Name == "rabbitmq_build_info");
        foreach (var name in new[]
        {
            "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked", "rabbitmq_connections", "rabbitmq_channels", "rabbitmq_queues",
            "rabbitmq_consumers", "rabbitmq_process_resident_memory_bytes", "rabbitmq_resident_memory_limit_bytes", "rabbitmq_disk_space_available_bytes",
            "rabbitmq_disk_space_available_limit_bytes", "rabbitmq_alarms_memory_used_watermark", "rabbitmq_alarms_free_disk_space_watermark",
            "rabbitmq_channel_messages_published_total", "rabbitmq_connections_opened_total", "rabbitmq_queues_declared_total",
        })
        {
            Assert.Contains(samples, s => s.Name == name && s.Labels.Count == 0);
        }
        Assert.Contains(samples, s => s.Name == "rabbitmq_global_messages_received_total" && s.Labels.GetValueOrDefault("protocol") == "amqp091");
    }

    [Fact]
    public async Task The_per_object_scrape_labels_each_queue_with_its_vhost()
    {
        var queue = await PutQueueAsync();
        await PublishAsync("amq.default", queue, "m");
        // RabbitMQ refreshes its metrics every few seconds: poll.
        var ready = await EventuallyAsync(async () => (await ScrapeAsync("metrics/per-object")).SingleOrDefault(s => s.Name == "rabbitmq_queue_messages_ready" && s.Labels.GetValueOrDefault("queue") == queue),
            s => s is not null && s.Value == 1, "the queue's ready count");
        Assert.Equal("/", ready!.Labels["vhost"]);
    }

    [Fact]
    public async Task The_detailed_scrape_gives_only_the_families_asked_for_one_vhost()
    {
        var queue = await PutQueueAsync();
        var samples = await EventuallyAsync(() => ScrapeAsync("metrics/detailed?family=queue_coarse_metrics&vhost=%2F"),
            s => s.Any(x => x.Name == "rabbitmq_detailed_queue_messages_ready" && x.Labels.GetValueOrDefault("queue") == queue), "the queue in the detailed scrape");
        // Besides the family asked for, only the node's identity (and RabbitMQ's own scrape telemetry).
        Assert.All(samples, s => Assert.True(s.Name.StartsWith("rabbitmq_detailed_queue_", StringComparison.Ordinal)
            || s.Name is "rabbitmq_identity_info" or "rabbitmq_build_info" || s.Name.StartsWith("telemetry_", StringComparison.Ordinal), s.Name));
        Assert.Contains(samples, s => s.Name == "rabbitmq_identity_info");
        Assert.DoesNotContain(samples, s => s.Name == "rabbitmq_detailed_connections_opened_total");
    }
}

[Collection(WarrenCollection.Name)]
public sealed class PrometheusScrapeTests_on_Warren(WarrenApiFixture f) : PrometheusScrapeTests(f.Target);

public sealed class PrometheusScrapeTests_on_RabbitMq(RabbitMqApiFixture f) : PrometheusScrapeTests(f.Target);
