using System.Net;
using System.Text.Json.Nodes;
using Warren.Broker.Clients;
using Warren.Broker.Consumers;
using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Warren.Broker.Routing;
using Warren.Broker.Statistics;
using Warren.Broker.VirtualHosts;
using Warren.Management.Json;

namespace Warren.Management.Resources;

/// <summary>The broker's objects in the JSON shapes of RabbitMQ's management API (field names as RabbitMQ 3.10 writes them).</summary>
internal static class Render
{
    public static JsonObject Rate(double rate) => new() { ["rate"] = rate };

    /// <summary>message_stats of a channel, virtual host or the overview.</summary>
    public static JsonObject ChannelStats(in MessageStats s, MessageRates? r)
    {
        var json = new JsonObject();
        Add(json, "ack", s.Ack, r, d => d.Ack);
        Add(json, "confirm", s.Confirm, r, d => d.Confirm);
        Add(json, "deliver", s.Deliver, r, d => d.Deliver);
        Add(json, "deliver_get", s.DeliverGet, r, d => d.DeliverGet);
        Add(json, "deliver_no_ack", s.DeliverNoAck, r, d => d.DeliverNoAck);
        Add(json, "drop_unroutable", s.DropUnroutable, r, d => d.DropUnroutable);
        Add(json, "get", s.Get, r, d => d.Get);
        Add(json, "get_empty", s.GetEmpty, r, d => d.GetEmpty);
        Add(json, "get_no_ack", s.GetNoAck, r, d => d.GetNoAck);
        Add(json, "publish", s.Publish, r, d => d.Publish);
        Add(json, "redeliver", s.Redeliver, r, d => d.Redeliver);
        Add(json, "return_unroutable", s.ReturnUnroutable, r, d => d.ReturnUnroutable);
        return json;
    }

    /// <summary>message_stats of a queue.</summary>
    public static JsonObject QueueStats(MessageCounters counters)
    {
        var s = counters.Read();
        var r = counters.Rates;
        var json = new JsonObject();
        Add(json, "ack", s.Ack, r, d => d.Ack);
        Add(json, "deliver", s.Deliver, r, d => d.Deliver);
        Add(json, "deliver_get", s.DeliverGet, r, d => d.DeliverGet);
        Add(json, "deliver_no_ack", s.DeliverNoAck, r, d => d.DeliverNoAck);
        Add(json, "get", s.Get, r, d => d.Get);
        Add(json, "get_empty", s.GetEmpty, r, d => d.GetEmpty);
        Add(json, "get_no_ack", s.GetNoAck, r, d => d.GetNoAck);
        Add(json, "publish", s.Publish, r, d => d.Publish);
        Add(json, "redeliver", s.Redeliver, r, d => d.Redeliver);
        return json;
    }

    private static void Add(JsonObject json, string name, long value, MessageRates? rates, Func<MessageStats, long> field)
    {
        json[name] = value;
        json[name + "_details"] = Rate(rates is null ? 0.0 : rates.Of(field(rates.Delta)));
    }

    public static JsonObject VirtualHost(ManagementContext m, VirtualHost host, MessageStats stats)
    {
        long ready = 0, unacked = 0, bytes = 0;
        foreach (var queue in host.Queues)
        {
            ready += queue.MessageCount;
            unacked += queue.UnackedCount;
            bytes += queue.MessageBytesReady;
        }
        return new JsonObject
        {
            ["cluster_state"] = new JsonObject { [m.NodeName] = "running" },
            ["default_queue_type"] = "undefined",
            ["description"] = host.Name == "/" ? "Default virtual host" : "",
            ["message_stats"] = ChannelStats(stats, m.Sampler.VirtualHost(host.Name)),
            ["messages"] = ready + unacked,
            ["messages_details"] = Rate(0),
            ["messages_ready"] = ready,
            ["messages_ready_details"] = Rate(0),
            ["messages_unacknowledged"] = unacked,
            ["messages_unacknowledged_details"] = Rate(0),
            ["message_bytes"] = bytes,
            ["metadata"] = new JsonObject { ["description"] = host.Name == "/" ? "Default virtual host" : "", ["tags"] = new JsonArray() },
            ["name"] = host.Name,
            ["tags"] = new JsonArray(),
            ["tracing"] = false,
        };
    }

    public static string ExchangeType(Exchange exchange) => exchange.Type;

    public static JsonObject Exchange(VirtualHost host, Exchange exchange)
    {
        var json = new JsonObject
        {
            ["arguments"] = FieldValues.ToJson(exchange.Settings.Arguments),
            ["auto_delete"] = exchange.Settings.AutoDelete,
            ["durable"] = exchange.Settings.Durable,
            ["internal"] = exchange.Settings.Internal,
            ["name"] = exchange.Name,
            ["type"] = exchange.Type,
            ["user_who_performed_action"] = "rmq-internal",
            ["vhost"] = host.Name,
        };
        var s = exchange.Stats.Read();
        if (s.PublishIn > 0 || s.PublishOut > 0)
        {
            var r = exchange.Stats.Rates;
            var stats = new JsonObject();
            Add(stats, "publish_in", s.PublishIn, r, d => d.PublishIn);
            Add(stats, "publish_out", s.PublishOut, r, d => d.PublishOut);
            json["message_stats"] = stats;
        }
        return json;
    }

    public static JsonObject Queue(ManagementContext m, Queue queue, bool details = false)
    {
        var ready = queue.MessageCount;
        var unacked = queue.UnackedCount;
        var consumers = queue.Consumers;
        var depth = m.Sampler.Depth(queue);
        var arguments = queue.Arguments;
        var json = new JsonObject
        {
            ["arguments"] = FieldValues.ToJson(queue.Settings.Arguments),
            ["auto_delete"] = queue.Settings.AutoDelete,
            ["consumer_capacity"] = consumers.Count > 0 ? 1.0 : 0.0,
            ["consumer_utilisation"] = consumers.Count > 0 ? 1.0 : 0.0,
            ["consumers"] = consumers.Count,
            ["durable"] = queue.Settings.Durable,
            ["effective_policy_definition"] = new JsonObject(),
            ["exclusive"] = queue.Settings.Exclusive,
            ["exclusive_consumer_tag"] = consumers.Count > 0 && consumers[0].Exclusive ? consumers[0].Tag : null,
            ["head_message_timestamp"] = null,
            ["memory"] = 0,
            ["message_bytes"] = queue.MessageBytesReady,
            ["message_bytes_ready"] = queue.MessageBytesReady,
            ["message_bytes_unacknowledged"] = 0,
            ["message_stats"] = QueueStats(queue.Stats),
            ["messages"] = ready + unacked,
            ["messages_details"] = Rate(depth is null ? 0 : depth.ReadyRate + depth.UnackedRate),
            ["messages_ready"] = ready,
            ["messages_ready_details"] = Rate(depth?.ReadyRate ?? 0),
            ["messages_unacknowledged"] = unacked,
            ["messages_unacknowledged_details"] = Rate(depth?.UnackedRate ?? 0),
            ["name"] = queue.Name,
            ["node"] = m.NodeName,
            ["operator_policy"] = null,
            ["policy"] = null,
            ["single_active_consumer_tag"] = arguments.SingleActiveConsumer && consumers.Count > 0 ? consumers[0].Tag : null,
            ["state"] = "running",
            ["type"] = arguments.IsQuorum ? "quorum" : "classic",
            ["vhost"] = queue.VirtualHostName,
        };
        if (details)
        {
            json["consumer_details"] = new JsonArray([.. consumers.Select(c => (JsonNode)Consumer(m, c))]);
            json["deliveries"] = new JsonArray();
            json["incoming"] = new JsonArray();
        }
        return json;
    }

    public static JsonObject Consumer(ManagementContext m, Consumer consumer)
    {
        var json = new JsonObject
        {
            ["arguments"] = FieldValues.ToJson(consumer.Arguments),
            ["ack_required"] = !consumer.NoAck,
            ["active"] = true,
            ["activity_status"] = "up",
            ["consumer_tag"] = consumer.Tag,
            ["exclusive"] = consumer.Exclusive,
            ["prefetch_count"] = consumer.PrefetchCount,
            ["queue"] = new JsonObject { ["name"] = consumer.Queue.Name, ["vhost"] = consumer.Queue.VirtualHostName },
        };
        if (consumer.ClientChannel is { } channel) json["channel_details"] = ChannelDetails(m, channel);
        return json;
    }

    public static JsonObject ChannelDetails(ManagementContext m, IClientChannel channel)
    {
        var (host, port) = Peer(channel.Connection);
        return new JsonObject
        {
            ["connection_name"] = channel.Connection.Name,
            ["name"] = ChannelName(channel),
            ["node"] = m.NodeName,
            ["number"] = channel.Number,
            ["peer_host"] = host,
            ["peer_port"] = port,
            ["user"] = channel.Connection.User,
        };
    }

    public static string ChannelName(IClientChannel channel) => $"{channel.Connection.Name} ({channel.Number})";

    public static (string? Host, int? Port) Peer(IClientConnection connection) => connection.RemoteEndPoint is IPEndPoint ip
        ? ((ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString(), ip.Port)
        : (null, null);

    public static JsonObject Connection(ManagementContext m, IClientConnection c)
    {
        var (peerHost, peerPort) = Peer(c);
        var local = c.LocalEndPoint as IPEndPoint;
        var sample = m.Sampler.Connection(c);
        var json = new JsonObject
        {
            ["auth_mechanism"] = c.AuthMechanism,
            ["channel_max"] = c.ChannelMax,
            ["channels"] = c.Channels.Count,
            ["client_properties"] = FieldValues.ToJson(c.ClientProperties),
            ["connected_at"] = c.ConnectedAt.ToUnixTimeMilliseconds(),
            ["frame_max"] = c.FrameMax,
            ["host"] = local is null ? null : (local.Address.IsIPv4MappedToIPv6 ? local.Address.MapToIPv4() : local.Address).ToString(),
            ["name"] = c.Name,
            ["node"] = m.NodeName,
            ["peer_cert_issuer"] = null,
            ["peer_cert_subject"] = null,
            ["peer_cert_validity"] = null,
            ["peer_host"] = peerHost,
            ["peer_port"] = peerPort,
            ["port"] = local?.Port,
            ["protocol"] = c.Protocol,
            ["recv_oct"] = c.BytesReceived,
            ["recv_oct_details"] = Rate(sample?.ReceivedRate ?? 0),
            ["send_oct"] = c.BytesSent,
            ["send_oct_details"] = Rate(sample?.SentRate ?? 0),
            ["ssl"] = c.IsTls,
            ["state"] = c.State,
            ["timeout"] = c.Heartbeat,
            ["type"] = "network",
            ["user"] = c.User,
            ["user_provided_name"] = c.ClientProvidedName,
            ["vhost"] = c.VirtualHost,
        };
        MessageStats sum = default;
        foreach (var channel in c.Channels) sum += channel.Stats.Read();
        json["message_stats"] = ChannelStats(sum, sample?.Rates);
        return json;
    }

    public static JsonObject Channel(ManagementContext m, IClientChannel channel)
    {
        var (host, port) = Peer(channel.Connection);
        return new JsonObject
        {
            ["acks_uncommitted"] = 0,
            ["confirm"] = channel.IsConfirmMode,
            ["connection_details"] = new JsonObject { ["name"] = channel.Connection.Name, ["peer_host"] = host, ["peer_port"] = port },
            ["consumer_count"] = channel.ConsumerCount,
            ["global_prefetch_count"] = channel.GlobalPrefetchCount,
            ["message_stats"] = ChannelStats(channel.Stats.Read(), channel.Stats.Rates),
            ["messages_unacknowledged"] = channel.UnackedCount,
            ["messages_uncommitted"] = 0,
            ["messages_unconfirmed"] = channel.UnconfirmedCount,
            ["name"] = ChannelName(channel),
            ["node"] = m.NodeName,
            ["number"] = channel.Number,
            ["prefetch_count"] = channel.PrefetchCount,
            ["state"] = "running",
            ["transactional"] = channel.IsTransactional,
            ["user"] = channel.Connection.User,
            ["vhost"] = channel.Connection.VirtualHost,
        };
    }

    public static JsonObject Binding(string vhost, Binding binding) => Binding(vhost, binding.Source.Name, binding.Destination.Name,
        binding.Destination is Queue ? "queue" : "exchange", binding.RoutingKey, binding.Arguments);

    public static JsonObject Binding(string vhost, string source, string destination, string destinationType, string routingKey,
        IReadOnlyDictionary<string, object?>? arguments) => new()
    {
        ["source"] = source,
        ["vhost"] = vhost,
        ["destination"] = destination,
        ["destination_type"] = destinationType,
        ["routing_key"] = routingKey,
        ["arguments"] = FieldValues.ToJson(arguments),
        ["properties_key"] = PropertiesKey(routingKey, arguments),
    };

    /// <summary>
    /// A binding's identity in a URL: the escaped routing key, plus "~" and a hash of the
    /// arguments when there are any. RabbitMQ hashes with Erlang's phash2; clients treat the key
    /// as opaque (they read it from a listing), so Warren's own stable hash serves.
    /// </summary>
    public static string PropertiesKey(string routingKey, IReadOnlyDictionary<string, object?>? arguments)
    {
        var key = Uri.EscapeDataString(routingKey);
        if (arguments is null || arguments.Count == 0) return key;
        var canonical = FieldValues.ToJson(new SortedDictionary<string, object?>(arguments.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal)).ToJsonString();
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical));
        return key + "~" + Convert.ToBase64String(hash, 0, 6).Replace('+', '-').Replace('/', '_').TrimEnd('=');
    }
}
