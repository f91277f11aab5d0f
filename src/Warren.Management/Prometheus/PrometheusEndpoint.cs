using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Warren.Broker.Clients;
using Warren.Broker.Statistics;
using Warren.Management.Resources;

namespace Warren.Management.Prometheus;

/// <summary>
/// RabbitMQ's rabbitmq_prometheus endpoints in the text exposition format:
/// <c>/metrics</c> (per-object metrics summed, no object labels), <c>/metrics/per-object</c>
/// (one series per queue, channel, connection) and <c>/metrics/detailed?family=…&amp;vhost=…</c>
/// (chosen families, names prefixed rabbitmq_detailed_). One scrape reads each object once.
/// </summary>
internal sealed class PrometheusEndpoint(ManagementContext management)
{
    private static readonly string s_clusterId = "warren-cluster-id-" + Guid.NewGuid().ToString("N")[..22];

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value?.TrimEnd('/') ?? "";
        string text;
        switch (path)
        {
            case "/metrics":
                text = Scrape(Mode.Aggregated, null, null);
                break;
            case "/metrics/per-object":
                text = Scrape(Mode.PerObject, null, null);
                break;
            case "/metrics/detailed":
                var families = context.Request.Query["family"].Where(f => f is not null).Select(f => f!).ToHashSet(StringComparer.Ordinal);
                var vhosts = context.Request.Query["vhost"].Where(v => v is not null).Select(v => v!).ToHashSet(StringComparer.Ordinal);
                text = Scrape(Mode.Detailed, families, vhosts.Count > 0 ? vhosts : null);
                break;
            default:
                context.Response.StatusCode = 404;
                return;
        }
        context.Response.ContentType = "text/plain; version=0.0.4";
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
    }

    internal enum Mode { Aggregated, PerObject, Detailed }

    private sealed record QueueRow(string VirtualHost, string Name, long Ready, long Unacked, long ReadyBytes, long Consumers, MessageStats Stats);

    /// <summary>One scrape as text; internal for the benchmark.</summary>
    internal string Scrape(Mode mode, HashSet<string>? families, HashSet<string>? vhosts)
    {
        var broker = management.Broker;
        var w = new MetricWriter(mode, families);
        var queues = new List<QueueRow>();
        foreach (var host in broker.VirtualHosts)
        {
            if (vhosts is not null && !vhosts.Contains(host.Name)) continue;
            foreach (var queue in host.Queues)
            {
                queues.Add(new QueueRow(host.Name, queue.Name, queue.MessageCount, queue.UnackedCount, queue.MessageBytesReady, queue.ConsumerCount, queue.Stats.Read()));
            }
        }
        var connections = broker.Clients.Connections.Where(c => vhosts is null || (c.VirtualHost is { } v && vhosts.Contains(v))).ToList();
        var channels = connections.SelectMany(c => c.Channels).ToList();

        // Every endpoint starts with the node's identity, the detailed one too (RabbitMQ 3.10).
        w.Identity("rabbitmq_identity_info", "RabbitMQ node & cluster identity info",
            $"rabbitmq_node=\"{Escape(management.NodeName)}\",rabbitmq_cluster=\"{Escape(management.NodeName)}\",rabbitmq_cluster_permanent_id=\"{s_clusterId}\"");
        w.Identity("rabbitmq_build_info", "RabbitMQ & Erlang/OTP version info",
            $"rabbitmq_version=\"{ManagementContext.Version}\",prometheus_plugin_version=\"{ManagementContext.Version}\",prometheus_client_version=\"warren\",erlang_version=\"dotnet-{Environment.Version}\",product=\"warren\"");
        if (mode != Mode.Detailed)
        {
            WriteNode(w, broker, connections, channels, queues);
            WriteGlobal(w, broker, channels, queues);
        }

        // Totals (the detailed families give them as connection_churn_metrics and friends).
        w.Family("connection_churn_metrics");
        w.Single("rabbitmq_connections_opened_total", "counter", "Total number of connections opened", null, broker.Clients.ConnectionsOpened);
        w.Single("rabbitmq_connections_closed_total", "counter", "Total number of connections closed or terminated", null, broker.Clients.ConnectionsClosed);
        w.Single("rabbitmq_channels_opened_total", "counter", "Total number of channels opened", null, broker.Clients.ChannelsOpened);
        w.Single("rabbitmq_channels_closed_total", "counter", "Total number of channels closed", null, broker.Clients.ChannelsClosed);
        var declared = broker.VirtualHosts.Sum(h => h.QueuesDeclared);
        w.Single("rabbitmq_queues_declared_total", "counter", "Total number of queues declared", null, declared);
        w.Single("rabbitmq_queues_created_total", "counter", "Total number of queues created", null, declared);
        w.Single("rabbitmq_queues_deleted_total", "counter", "Total number of queues deleted", null, broker.VirtualHosts.Sum(h => h.QueuesDeleted));

        w.Family("queue_coarse_metrics");
        w.PerObject("rabbitmq_queue_messages_ready", "gauge", "Messages ready to be delivered to consumers", queues, QueueLabels, q => q.Ready);
        w.PerObject("rabbitmq_queue_messages_unacked", "gauge", "Messages delivered to consumers but not yet acknowledged", queues, QueueLabels, q => q.Unacked);
        w.PerObject("rabbitmq_queue_messages", "gauge", "Sum of ready and unacknowledged messages - total queue depth", queues, QueueLabels, q => q.Ready + q.Unacked);

        w.Family("queue_consumer_count");
        w.PerObject("rabbitmq_queue_consumers", "gauge", "Consumers on a queue", queues, QueueLabels, q => q.Consumers);

        w.Family("queue_metrics");
        w.PerObject("rabbitmq_queue_messages_ready_bytes", "gauge", "Size in bytes of ready messages", queues, QueueLabels, q => q.ReadyBytes);
        w.PerObject("rabbitmq_queue_messages_bytes", "gauge", "Size in bytes of ready and unacknowledged messages", queues, QueueLabels, q => q.ReadyBytes);
        w.PerObject("rabbitmq_queue_messages_published_total", "counter", "Total number of messages published to queues", queues, QueueLabels, q => q.Stats.Publish);

        w.Family("connection_coarse_metrics");
        w.PerObject("rabbitmq_connection_incoming_bytes_total", "counter", "Total number of bytes received on a connection", connections, ConnectionLabels, c => c.BytesReceived);
        w.PerObject("rabbitmq_connection_outgoing_bytes_total", "counter", "Total number of bytes sent on a connection", connections, ConnectionLabels, c => c.BytesSent);

        w.Family("connection_metrics");
        w.PerObject("rabbitmq_connection_channels", "gauge", "Channels on a connection", connections, ConnectionLabels, c => c.Channels.Count);

        w.Family("channel_metrics");
        w.PerObject("rabbitmq_channel_consumers", "gauge", "Consumers on a channel", channels, ChannelLabels, c => c.ConsumerCount);
        w.PerObject("rabbitmq_channel_messages_unacked", "gauge", "Delivered but not yet acknowledged messages", channels, ChannelLabels, c => c.UnackedCount);
        w.PerObject("rabbitmq_channel_messages_unconfirmed", "gauge", "Published but not yet confirmed messages", channels, ChannelLabels, c => c.UnconfirmedCount);
        w.PerObject("rabbitmq_channel_messages_uncommitted", "gauge", "Messages received in a transaction but not yet committed", channels, ChannelLabels, _ => 0);
        w.PerObject("rabbitmq_channel_acks_uncommitted", "gauge", "Message acknowledgements in a transaction not yet committed", channels, ChannelLabels, _ => 0);
        w.PerObject("rabbitmq_channel_prefetch", "gauge", "Total limit of unacknowledged messages for all consumers on a channel", channels, ChannelLabels, c => c.GlobalPrefetchCount);
        w.PerObject("rabbitmq_consumer_prefetch", "gauge", "Limit of unacknowledged messages for each consumer", channels, ChannelLabels, c => c.PrefetchCount);

        var channelStats = channels.Select(c => (Channel: c, Stats: c.Stats.Read())).ToList();
        w.Family("channel_exchange_metrics");
        w.PerObject("rabbitmq_channel_messages_published_total", "counter", "Total number of messages published into an exchange on a channel", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Publish);
        w.PerObject("rabbitmq_channel_messages_confirmed_total", "counter", "Total number of messages published into an exchange and confirmed on the channel", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Confirm);
        w.PerObject("rabbitmq_channel_messages_unroutable_returned_total", "counter", "Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.ReturnUnroutable);
        w.PerObject("rabbitmq_channel_messages_unroutable_dropped_total", "counter", "Total number of messages published as non-mandatory into an exchange and dropped as unroutable", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.DropUnroutable);

        w.Family("channel_queue_metrics");
        w.PerObject("rabbitmq_channel_get_ack_total", "counter", "Total number of messages fetched with basic.get in manual acknowledgement mode", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Get);
        w.PerObject("rabbitmq_channel_get_total", "counter", "Total number of messages fetched with basic.get in automatic acknowledgement mode", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.GetNoAck);
        w.PerObject("rabbitmq_channel_messages_delivered_ack_total", "counter", "Total number of messages delivered to consumers in manual acknowledgement mode", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Deliver);
        w.PerObject("rabbitmq_channel_messages_delivered_total", "counter", "Total number of messages delivered to consumers in automatic acknowledgement mode", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.DeliverNoAck);
        w.PerObject("rabbitmq_channel_messages_redelivered_total", "counter", "Total number of messages redelivered to consumers", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Redeliver);
        w.PerObject("rabbitmq_channel_messages_acked_total", "counter", "Total number of messages acknowledged by consumers", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.Ack);
        w.PerObject("rabbitmq_channel_get_empty_total", "counter", "Total number of times basic.get operations fetched no message", channelStats, s => ChannelLabels(s.Channel), s => s.Stats.GetEmpty);
        return w.ToString();
    }

    private static void WriteNode(MetricWriter w, Broker.Broker broker, List<IClientConnection> connections, List<IClientChannel> channels, List<QueueRow> queues)
    {
        var alarms = broker.Alarms.Active;
        w.Single("rabbitmq_alarms_file_descriptor_limit", "untyped", "is 1 if file descriptor limit alarm is in effect", null, 0);
        w.Single("rabbitmq_alarms_free_disk_space_watermark", "untyped", "is 1 if free disk space watermark alarm is in effect", null,
            alarms.HasFlag(Broker.Resources.ResourceAlarm.DiskFree) ? 1 : 0);
        w.Single("rabbitmq_alarms_memory_used_watermark", "untyped", "is 1 if VM memory watermark alarm is in effect", null,
            alarms.HasFlag(Broker.Resources.ResourceAlarm.Memory) ? 1 : 0);
        w.Single("rabbitmq_process_resident_memory_bytes", "gauge", "Memory used in bytes", null, Environment.WorkingSet);
        w.Single("rabbitmq_resident_memory_limit_bytes", "gauge", "Memory high watermark in bytes", null, broker.Monitor.MemoryLimit);
        long diskFree = 0;
        try
        {
            diskFree = new DriveInfo(Path.GetFullPath(broker.Options.DataDirectory ?? AppContext.BaseDirectory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // reported as 0
        }
        w.Single("rabbitmq_disk_space_available_bytes", "gauge", "Disk space available in bytes", null, diskFree);
        w.Single("rabbitmq_disk_space_available_limit_bytes", "gauge", "Free disk space low watermark in bytes", null, broker.Monitor.DiskFreeLimit);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        w.Single("rabbitmq_process_open_fds", "gauge", "Open file descriptors", null, process.HandleCount);
        w.Single("rabbitmq_process_max_fds", "gauge", "Open file descriptors limit", null, 1048576);
        w.Single("rabbitmq_process_open_tcp_sockets", "gauge", "Open TCP sockets", null, connections.Count);
        w.Single("rabbitmq_process_max_tcp_sockets", "gauge", "Open TCP sockets limit", null, 1048576);
        w.Single("rabbitmq_erlang_uptime_seconds", "gauge", "Node uptime", null, (long)(DateTimeOffset.UtcNow - broker.StartedAt).TotalSeconds);
        w.Single("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", null, broker.StartedAt.ToUnixTimeSeconds());
        w.Single("rabbitmq_connections", "gauge", "Connections currently open", null, connections.Count);
        w.Single("rabbitmq_channels", "gauge", "Channels currently open", null, channels.Count);
        w.Single("rabbitmq_queues", "gauge", "Queues available", null, queues.Count);
        w.Single("rabbitmq_consumers", "gauge", "Consumers currently connected", null, queues.Sum(q => q.Consumers));
    }

    // The global counters of RabbitMQ 3.9+: totals since start, with a protocol label.
    private static void WriteGlobal(MetricWriter w, Broker.Broker broker, List<IClientChannel> channels, List<QueueRow> queues)
    {
        MessageStats total = default;
        foreach (var host in broker.VirtualHosts) total += host.ClosedChannelStats.Read();
        foreach (var channel in channels) total += channel.Stats.Read();
        long routed = 0;
        foreach (var host in broker.VirtualHosts)
        {
            foreach (var exchange in host.Exchanges) routed += exchange.Stats.PublishOut;
        }
        const string Protocol = "protocol=\"amqp091\"";
        void G(string name, string help, long value) => w.Single(name, "counter", help, Protocol, value);
        G("rabbitmq_global_messages_received_total", "Total number of messages received from publishers", total.Publish);
        G("rabbitmq_global_messages_received_confirm_total", "Total number of messages received from publishers expecting confirmations", total.Confirm);
        G("rabbitmq_global_messages_routed_total", "Total number of messages routed to queues or streams", routed);
        G("rabbitmq_global_messages_unroutable_dropped_total", "Total number of messages published as non-mandatory into an exchange and dropped as unroutable", total.DropUnroutable);
        G("rabbitmq_global_messages_unroutable_returned_total", "Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable", total.ReturnUnroutable);
        G("rabbitmq_global_messages_confirmed_total", "Total number of messages confirmed to publishers", total.Confirm);
        G("rabbitmq_global_messages_delivered_total", "Total number of messages delivered to consumers", total.DeliverGet);
        G("rabbitmq_global_messages_delivered_consume_manual_ack_total", "Total number of messages delivered to consumers using basic.consume with manual acknowledgment", total.Deliver);
        G("rabbitmq_global_messages_delivered_consume_auto_ack_total", "Total number of messages delivered to consumers using basic.consume with automatic acknowledgment", total.DeliverNoAck);
        G("rabbitmq_global_messages_delivered_get_manual_ack_total", "Total number of messages delivered to consumers using basic.get with manual acknowledgment", total.Get);
        G("rabbitmq_global_messages_delivered_get_auto_ack_total", "Total number of messages delivered to consumers using basic.get with automatic acknowledgment", total.GetNoAck);
        G("rabbitmq_global_messages_get_empty_total", "Total number of times basic.get operations fetched no message", total.GetEmpty);
        G("rabbitmq_global_messages_redelivered_total", "Total number of messages redelivered to consumers", total.Redeliver);
        G("rabbitmq_global_messages_acknowledged_total", "Total number of messages acknowledged by consumers", total.Ack);
        w.Single("rabbitmq_global_publishers", "gauge", "Current number of publishers", Protocol, channels.Count(c => c.Stats.Publish > 0));
        w.Single("rabbitmq_global_consumers", "gauge", "Current number of consumers", Protocol, queues.Sum(q => q.Consumers));
    }

    private static string QueueLabels(QueueRow q) => $"vhost=\"{Escape(q.VirtualHost)}\",queue=\"{Escape(q.Name)}\"";

    private static string ConnectionLabels(IClientConnection c) => $"connection=\"{Escape(c.Name)}\"";

    private static string ChannelLabels(IClientChannel c) => $"channel=\"{Escape(Render.ChannelName(c))}\"";

    /// <summary>Label values escape backslash, double quote and newline (exposition format).</summary>
    public static string Escape(string value) =>
        value.IndexOfAny(['\\', '"', '\n']) < 0 ? value : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Writes families in the mode asked: summed, per object, or only the chosen detailed families.</summary>
    private sealed class MetricWriter(Mode mode, HashSet<string>? families)
    {
        private readonly StringBuilder _text = new(64 * 1024);
        private bool _familyWanted = mode != Mode.Detailed;

        public void Identity(string name, string help, string labels)
        {
            Header(name, "untyped", help);
            _text.Append(name).Append('{').Append(labels).Append("} 1\n");
        }

        public void Family(string family) => _familyWanted = mode != Mode.Detailed || (families?.Contains(family) ?? false);

        private string Name(string name) => mode == Mode.Detailed ? "rabbitmq_detailed_" + name["rabbitmq_".Length..] : name;

        private void Header(string name, string type, string help) =>
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n').Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');

        public void Single(string name, string type, string help, string? labels, long value)
        {
            if (!_familyWanted) return;
            if (mode == Mode.Detailed && name.StartsWith("rabbitmq_", StringComparison.Ordinal)) name = Name(name);
            Header(name, type, help);
            _text.Append(name);
            if (labels is not null) _text.Append('{').Append(labels).Append('}');
            _text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        public void PerObject<T>(string name, string type, string help, List<T> items, Func<T, string> labels, Func<T, long> value)
        {
            if (!_familyWanted) return;
            if (mode == Mode.Aggregated)
            {
                long sum = 0;
                foreach (var item in items) sum += value(item);
                Header(name, type, help);
                _text.Append(name).Append(' ').Append(sum.ToString(CultureInfo.InvariantCulture)).Append('\n');
                return;
            }
            name = Name(name);
            Header(name, type, help);
            foreach (var item in items)
            {
                _text.Append(name).Append('{').Append(labels(item)).Append("} ").Append(value(item).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        public override string ToString() => _text.ToString();
    }
}
