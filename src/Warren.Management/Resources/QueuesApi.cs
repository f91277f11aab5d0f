using System.Text;
using System.Text.Json.Nodes;
using Warren.Broker.Queues;
using Warren.Management.Http;
using Warren.Management.Json;

namespace Warren.Management.Resources;

/// <summary>/api/queues: list, declare, delete (if-empty, if-unused), bindings, purge, get.</summary>
internal static class QueuesApi
{
    public static void Map(Router router)
    {
        router.Map("GET", "/api/queues", Access.Management, r => ListAsync(r, null));
        router.Map("GET", "/api/queues/{vhost}", Access.Management, r => ListAsync(r, r.VirtualHost));
        router.Map("GET", "/api/queues/{vhost}/{name}", Access.Management, r => r.JsonAsync(Render.Queue(r.Management, Find(r, r.VirtualHost), details: true)));
        router.Map("PUT", "/api/queues/{vhost}/{name}", Access.Management, PutAsync);
        router.Map("DELETE", "/api/queues/{vhost}/{name}", Access.Management, DeleteAsync);
        router.Map("GET", "/api/queues/{vhost}/{name}/bindings", Access.Management, BindingsAsync);
        router.Map("DELETE", "/api/queues/{vhost}/{name}/contents", Access.Management, PurgeAsync);
        router.Map("POST", "/api/queues/{vhost}/{name}/get", Access.Management, GetMessagesAsync);
        router.Map("POST", "/api/queues/{vhost}/{name}/actions", Access.Management, ActionsAsync);
    }

    public static Queue Find(ApiRequest r, Broker.VirtualHosts.VirtualHost host) =>
        host.TryGetQueue(r["name"], out var queue) ? queue : throw ApiException.NotFound();

    private static Task ListAsync(ApiRequest r, Broker.VirtualHosts.VirtualHost? only)
    {
        var hosts = only is not null ? [only] : r.Broker.VirtualHosts.Where(h => r.Management.Users.CanSee(r.User, h.Name));
        var queues = hosts.SelectMany(h => h.Queues);
        return Listing.WriteAsync(r, queues, q => q.Name, q => q.VirtualHostName, q => Render.Queue(r.Management, q));
    }

    private static async Task PutAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var name = Body.Name(r["name"], "queue");
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        // Over HTTP a queue is durable unless told otherwise (RabbitMQ's default), and never exclusive.
        var settings = new QueueSettings(Body.Bool(body, "durable", true), Exclusive: false, Body.Bool(body, "auto_delete", false),
            FieldValues.FromJson(Body.Object(body, "arguments")));
        if (name.Length == 0) throw ApiException.BadRequest("queue name must not be empty");
        var existed = host.TryGetQueue(name, out var existing);
        BrokerErrors.Run(() => host.DeclareQueue(name, settings, passive: false, existing?.Owner));
        await r.CreatedOrUpdatedAsync(!existed).ConfigureAwait(false);
    }

    private static Task DeleteAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var queue = Find(r, host);
        BrokerErrors.Run(() => host.DeleteQueue(queue.Name, r.QueryFlag("if-unused"), r.QueryFlag("if-empty"), queue.Owner));
        return r.NoContentAsync();
    }

    private static Task BindingsAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var queue = Find(r, host);
        var bindings = new List<JsonObject> { BindingsApi.DefaultBinding(host.Name, queue) };
        bindings.AddRange(BindingsApi.All(host).Where(b => b.Destination == queue).Select(b => Render.Binding(host.Name, b)));
        return r.JsonAsync(new JsonArray([.. bindings]));
    }

    private static Task PurgeAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var queue = Find(r, host);
        queue.Purge();
        return r.NoContentAsync();
    }

    private static async Task ActionsAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        Find(r, host);
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        Body.Require(body, "action");
        // sync and cancel_sync concern mirrored queues, which a single node does not have.
        var action = Body.String(body, "action");
        if (action is "sync" or "cancel_sync") await r.NoContentAsync().ConfigureAwait(false);
        else throw ApiException.BadRequest($"Unknown action: {action}");
    }

    private static async Task GetMessagesAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        Body.Require(body, "count", "ackmode", "encoding");
        var queue = Find(r, host);
        var count = Body.Integer(body, "count") ?? 1;
        var ackMode = Body.String(body, "ackmode");
        var encoding = Body.String(body, "encoding");
        var truncate = Body.Integer(body, "truncate");
        // RabbitMQ 3.10 answers an unknown ack mode with a 500 (a crash in its handler); Warren with 400.
        if (ackMode is not ("ack_requeue_true" or "ack_requeue_false" or "reject_requeue_true" or "reject_requeue_false"))
        {
            throw ApiException.BadRequest($"Unknown ackmode: {ackMode}");
        }
        if (encoding is not ("auto" or "base64")) throw ApiException.BadRequest($"Unsupported encoding: {encoding}");
        if (count < 1) throw ApiException.BadRequest("count must be a positive integer");
        var taken = new List<QueueEntry>();
        var result = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            if (!queue.TryGet(noAck: false, out var entry, out var remaining)) break;
            taken.Add(entry);
            result.Add(Message(entry, remaining, encoding, truncate));
        }
        var entries = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(taken);
        switch (ackMode)
        {
            case "ack_requeue_false":
                queue.Settle(entries);
                break;
            case "reject_requeue_false":
                foreach (var entry in taken) queue.Reject(entry);
                break;
            default:
                // Requeued together at the end, so a count of 2 gets two different messages (RabbitMQ).
                queue.Requeue(entries);
                break;
        }
        await r.JsonAsync(result).ConfigureAwait(false);
    }

    private static JsonObject Message(in QueueEntry entry, int remaining, string? encoding, long? truncate)
    {
        var message = entry.Message;
        var body = message.Body;
        var shown = truncate is { } limit && limit >= 0 && limit < body.Length ? body.AsSpan(0, (int)limit).ToArray() : body;
        string payload;
        string payloadEncoding;
        if (encoding == "auto" && IsUtf8(shown))
        {
            payload = Encoding.UTF8.GetString(shown);
            payloadEncoding = "string";
        }
        else
        {
            payload = Convert.ToBase64String(shown);
            payloadEncoding = "base64";
        }
        return new JsonObject
        {
            ["payload_bytes"] = body.Length,
            ["redelivered"] = entry.Redelivered,
            ["exchange"] = message.Exchange,
            ["routing_key"] = message.RoutingKey,
            ["message_count"] = remaining,
            ["properties"] = FieldValues.Properties(message.Properties),
            ["payload"] = payload,
            ["payload_encoding"] = payloadEncoding,
        };
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
