using System.Text.Json.Nodes;
using Warren.Management.Http;
using Warren.Management.Statistics;

namespace Warren.Management.Resources;

/// <summary>/api/overview, /api/whoami, /api/nodes, /api/extensions, /api/feature-flags, health checks and the aliveness test.</summary>
internal static class OverviewApi
{
    public static void Map(Router router)
    {
        router.Map("GET", "/api/overview", Access.Management, OverviewAsync);
        router.Map("GET", "/api/cluster-name", Access.Management, r => r.JsonAsync(new JsonObject { ["name"] = r.Management.NodeName }));
        router.Map("GET", "/api/whoami", Access.Management, r => r.JsonAsync(new JsonObject
        {
            ["name"] = r.User.Name,
            ["tags"] = new JsonArray([.. r.User.Tags.Select(t => (JsonNode)t)]),
        }));
        router.Map("GET", "/api/nodes", Access.Monitoring, r => r.JsonAsync(new JsonArray(Node(r.Management))));
        router.Map("GET", "/api/nodes/{node}", Access.Monitoring, r =>
            r["node"] == r.Management.NodeName ? r.JsonAsync(Node(r.Management)) : throw ApiException.NotFound());
        router.Map("GET", "/api/extensions", Access.Management, r => r.JsonAsync(new JsonArray()));
        router.Map("GET", "/api/feature-flags", Access.Management, r => r.JsonAsync(FeatureFlags()));
        router.Map("GET", "/api/aliveness-test/{vhost}", Access.Management, AlivenessAsync);
        router.Map("GET", "/api/health/checks/alarms", Access.Management, AlarmsAsync);
        router.Map("GET", "/api/health/checks/local-alarms", Access.Management, AlarmsAsync);
        router.Map("GET", "/api/health/checks/virtual-hosts", Access.Management, r => OkAsync(r));
        router.Map("GET", "/api/health/checks/node-is-quorum-critical", Access.Management, r => OkAsync(r, "single node cluster"));
        router.Map("GET", "/api/health/checks/node-is-mirror-sync-critical", Access.Management, r => OkAsync(r, "single node cluster"));
        router.Map("GET", "/api/health/checks/certificate-expiration/{within}/{unit}", Access.Management, r => OkAsync(r));
        router.Map("GET", "/api/health/checks/port-listener/{port}", Access.Management, PortListenerAsync);
        router.Map("GET", "/api/health/checks/protocol-listener/{protocol}", Access.Management, ProtocolListenerAsync);
    }

    private static Task OkAsync(ApiRequest r, string? reason = null)
    {
        var json = new JsonObject { ["status"] = "ok" };
        if (reason is not null) json["reason"] = reason;
        return r.JsonAsync(json);
    }

    // RabbitMQ answers a failed check with 503 and {"status":"failed","reason":…}.
    private static Task FailedAsync(ApiRequest r, JsonObject json)
    {
        json["status"] = "failed";
        return r.JsonAsync(json, 503);
    }

    private static Task AlarmsAsync(ApiRequest r)
    {
        var active = r.Broker.Alarms.Active;
        if (active == Broker.Resources.ResourceAlarm.None) return OkAsync(r);
        var alarms = new JsonArray();
        if (active.HasFlag(Broker.Resources.ResourceAlarm.Memory)) alarms.Add(new JsonObject { ["node"] = r.Management.NodeName, ["resource"] = "memory" });
        if (active.HasFlag(Broker.Resources.ResourceAlarm.DiskFree)) alarms.Add(new JsonObject { ["node"] = r.Management.NodeName, ["resource"] = "disk" });
        return FailedAsync(r, new JsonObject { ["reason"] = "resource alarm(s) in effect in the cluster", ["alarms"] = alarms });
    }

    private static Task PortListenerAsync(ApiRequest r)
    {
        if (!int.TryParse(r["port"], out var port)) throw ApiException.BadRequest($"Invalid port: {r["port"]}");
        var ports = Listeners(r.Management).Select(l => l.Port).ToList();
        if (ports.Contains(port)) return r.JsonAsync(new JsonObject { ["status"] = "ok", ["port"] = port });
        return FailedAsync(r, new JsonObject
        {
            ["reason"] = $"No active listener on port {port}",
            ["missing"] = port,
            ["ports"] = new JsonArray([.. ports.Select(p => (JsonNode)p)]),
        });
    }

    private static Task ProtocolListenerAsync(ApiRequest r)
    {
        var protocol = r["protocol"];
        var protocols = Listeners(r.Management).Select(l => l.Protocol).ToList();
        // RabbitMQ normalises aliases: amqp091 and amqp0-9-1 are amqp.
        var wanted = protocol is "amqp091" or "amqp0-9-1" or "amqp0.9.1" ? "amqp" : protocol;
        if (protocols.Contains(wanted)) return r.JsonAsync(new JsonObject { ["status"] = "ok", ["protocol"] = wanted });
        return FailedAsync(r, new JsonObject
        {
            ["reason"] = $"No active listener for protocol {wanted}",
            ["missing"] = wanted,
            ["protocols"] = new JsonArray([.. protocols.Select(p => (JsonNode)p)]),
        });
    }

    private static async Task AlivenessAsync(ApiRequest r)
    {
        // RabbitMQ declares aliveness-test, publishes "test_message" through the default exchange and gets it back.
        var host = r.VirtualHost;
        const string Name = "aliveness-test";
        BrokerErrors.Run(() => host.DeclareQueue(Name, new Broker.Queues.QueueSettings(false, false, false, null), passive: false, connection: null));
        var body = "test_message"u8.ToArray();
        host.Publish("", new Broker.Messages.Message("", Name, new Broker.Messages.MessageProperties(), body));
        if (host.TryGetQueue(Name, out var queue) && queue.TryGet(noAck: true, out var entry, out _) && entry.Message.Body.AsSpan().SequenceEqual(body))
        {
            await OkAsync(r).ConfigureAwait(false);
            return;
        }
        await FailedAsync(r, new JsonObject { ["reason"] = "aliveness test failed" }).ConfigureAwait(false);
    }

    private static Task OverviewAsync(ApiRequest r)
    {
        var m = r.Management;
        var broker = r.Broker;
        var live = StatsAggregation.LiveChannelStats(broker);
        Broker.Statistics.MessageStats stats = default;
        long ready = 0, unacked = 0;
        int queues = 0, exchanges = 0, consumers = 0;
        foreach (var host in broker.VirtualHosts)
        {
            if (!m.Users.CanSee(r.User, host.Name)) continue;
            stats += StatsAggregation.VirtualHost(broker, host, live);
            foreach (var queue in host.Queues)
            {
                queues++;
                ready += queue.MessageCount;
                unacked += queue.UnackedCount;
                consumers += queue.ConsumerCount;
            }
            exchanges += host.Exchanges.Count;
        }
        var connections = broker.Clients.Connections;
        var depth = m.Sampler.OverviewDepth;
        var json = new JsonObject
        {
            ["management_version"] = ManagementContext.Version,
            ["rates_mode"] = "basic",
            ["sample_retention_policies"] = new JsonObject
            {
                ["global"] = new JsonArray(600, 3600, 28800, 86400),
                ["basic"] = new JsonArray(600, 3600),
                ["detailed"] = new JsonArray(600),
            },
            ["exchange_types"] = ExchangeTypes(),
            ["product_version"] = ManagementContext.Version,
            ["product_name"] = "Warren",
            ["rabbitmq_version"] = "3.10.8",
            ["cluster_name"] = m.NodeName,
            ["erlang_version"] = $".NET {Environment.Version}",
            ["erlang_full_version"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            ["release_series_support_status"] = "supported",
            ["disable_stats"] = false,
            ["enable_queue_totals"] = false,
            ["message_stats"] = Render.ChannelStats(stats, m.Sampler.Overview),
            ["churn_rates"] = new JsonObject
            {
                ["connection_created"] = broker.Clients.ConnectionsOpened,
                ["connection_created_details"] = Render.Rate(0),
                ["connection_closed"] = broker.Clients.ConnectionsClosed,
                ["connection_closed_details"] = Render.Rate(0),
                ["queue_declared"] = broker.VirtualHosts.Sum(h => h.QueuesDeclared),
                ["queue_declared_details"] = Render.Rate(0),
                ["queue_created"] = broker.VirtualHosts.Sum(h => h.QueuesDeclared),
                ["queue_created_details"] = Render.Rate(0),
                ["queue_deleted"] = broker.VirtualHosts.Sum(h => h.QueuesDeleted),
                ["queue_deleted_details"] = Render.Rate(0),
            },
            ["queue_totals"] = new JsonObject
            {
                ["messages"] = ready + unacked,
                ["messages_details"] = Render.Rate(depth.ReadyRate + depth.UnackedRate),
                ["messages_ready"] = ready,
                ["messages_ready_details"] = Render.Rate(depth.ReadyRate),
                ["messages_unacknowledged"] = unacked,
                ["messages_unacknowledged_details"] = Render.Rate(depth.UnackedRate),
            },
            ["object_totals"] = new JsonObject
            {
                ["channels"] = connections.Sum(c => c.Channels.Count),
                ["connections"] = connections.Count,
                ["consumers"] = consumers,
                ["exchanges"] = exchanges,
                ["queues"] = queues,
            },
            ["statistics_db_event_queue"] = 0,
            ["node"] = m.NodeName,
            ["listeners"] = new JsonArray([.. Listeners(m).Select(l => (JsonNode)new JsonObject
            {
                ["node"] = m.NodeName,
                ["protocol"] = l.Protocol,
                ["ip_address"] = l.Address,
                ["port"] = l.Port,
                ["socket_opts"] = new JsonObject(),
            })]),
            ["contexts"] = new JsonArray(new JsonObject
            {
                ["node"] = m.NodeName,
                ["description"] = "Warren Management",
                ["path"] = "/",
                ["port"] = m.ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
        };
        return r.JsonAsync(json);
    }

    private static IEnumerable<(string Protocol, string Address, int Port)> Listeners(ManagementContext m)
    {
        foreach (var listener in m.Options.AmqpListeners) yield return (listener.Protocol, listener.Address, listener.Port);
        yield return ("http", m.Options.BindAddress.ToString(), m.ManagementPort);
        if (m.PrometheusPort != 0) yield return ("http/prometheus", (m.Options.PrometheusBindAddress ?? m.Options.BindAddress).ToString(), m.PrometheusPort);
    }

    private static readonly string[] s_exchangeTypes = ["direct", "fanout", "headers", "topic"];

    private static JsonArray ExchangeTypes() => new(
        [.. s_exchangeTypes.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t,
            ["description"] = $"AMQP {t} exchange, as per the AMQP specification",
            ["enabled"] = true,
        })]);

    private static JsonObject Node(ManagementContext m)
    {
        var broker = m.Broker;
        var process = System.Diagnostics.Process.GetCurrentProcess();
        var memory = Environment.WorkingSet;
        long diskFree = 0;
        try
        {
            diskFree = new DriveInfo(Path.GetFullPath(broker.Options.DataDirectory ?? AppContext.BaseDirectory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Unknown: reported as 0, as RabbitMQ does when it cannot read it.
        }
        var alarms = broker.Alarms.Active;
        var connections = broker.Clients.Connections;
        return new JsonObject
        {
            ["name"] = m.NodeName,
            ["type"] = "disc",
            ["running"] = true,
            ["being_drained"] = false,
            ["mem_used"] = memory,
            ["mem_used_details"] = Render.Rate(0),
            ["mem_limit"] = broker.Monitor.MemoryLimit,
            ["mem_alarm"] = alarms.HasFlag(Broker.Resources.ResourceAlarm.Memory),
            ["mem_calculation_strategy"] = "rss",
            ["disk_free"] = diskFree,
            ["disk_free_details"] = Render.Rate(0),
            ["disk_free_limit"] = broker.Monitor.DiskFreeLimit,
            ["disk_free_alarm"] = alarms.HasFlag(Broker.Resources.ResourceAlarm.DiskFree),
            ["fd_used"] = process.HandleCount,
            ["fd_total"] = 1048576,
            ["sockets_used"] = connections.Count,
            ["sockets_total"] = 1048576,
            ["proc_used"] = process.Threads.Count,
            ["proc_total"] = 1048576,
            ["uptime"] = (long)(DateTimeOffset.UtcNow - broker.StartedAt).TotalMilliseconds,
            ["run_queue"] = 0,
            ["processors"] = Environment.ProcessorCount,
            ["os_pid"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rates_mode"] = "basic",
            ["partitions"] = new JsonArray(),
            ["net_ticktime"] = 60,
            ["exchange_types"] = ExchangeTypes(),
            ["auth_mechanisms"] = new JsonArray(
                new JsonObject { ["name"] = "PLAIN", ["description"] = "SASL PLAIN authentication mechanism", ["enabled"] = true },
                new JsonObject { ["name"] = "AMQPLAIN", ["description"] = "QPid AMQPLAIN mechanism", ["enabled"] = true }),
            ["applications"] = new JsonArray(new JsonObject { ["name"] = "warren", ["description"] = "Warren", ["version"] = ManagementContext.Version }),
            ["enabled_plugins"] = new JsonArray("rabbitmq_management", "rabbitmq_prometheus"),
            ["contexts"] = new JsonArray(),
            ["log_files"] = new JsonArray(),
            ["config_files"] = new JsonArray(),
            ["db_dir"] = broker.Options.DataDirectory,
            ["cluster_links"] = new JsonArray(),
            ["connection_created"] = broker.Clients.ConnectionsOpened,
            ["connection_created_details"] = Render.Rate(0),
            ["connection_closed"] = broker.Clients.ConnectionsClosed,
            ["connection_closed_details"] = Render.Rate(0),
        };
    }

    // What Warren implements, in RabbitMQ's feature-flag names; a tool checking for one finds it enabled.
    private static JsonArray FeatureFlags() => new([.. new (string Name, string Description)[]
    {
        ("classic_mirrored_queue_version", "Support setting version for classic mirrored queues"),
        ("drop_unroutable_metric", "Count unroutable publishes to be dropped in stats"),
        ("empty_basic_get_metric", "Count AMQP `basic.get` on empty queues in stats"),
        ("implicit_default_bindings", "Default bindings are now implicit, instead of being stored in the database"),
        ("maintenance_mode_status", "Maintenance mode status"),
        ("quorum_queue", "Support queues of type `quorum`"),
        ("user_limits", "Configure connection and channel limits for a user"),
        ("virtual_host_metadata", "Virtual host metadata (description, tags, etc)"),
    }.Select(f => (JsonNode)new JsonObject
    {
        ["name"] = f.Name,
        ["desc"] = f.Description,
        ["doc_url"] = "",
        ["state"] = "enabled",
        ["stability"] = "stable",
        ["provided_by"] = "warren",
    })]);
}
