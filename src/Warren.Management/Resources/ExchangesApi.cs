using System.Text;
using System.Text.Json.Nodes;
using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Management.Http;
using Warren.Management.Json;

namespace Warren.Management.Resources;

/// <summary>/api/exchanges: list, declare, delete, bindings in and out, publish.</summary>
internal static class ExchangesApi
{
    /// <summary>The default exchange's name in the API's paths.</summary>
    public const string DefaultName = "amq.default";

    public static void Map(Router router)
    {
        router.Map("GET", "/api/exchanges", Access.Management, r => ListAsync(r, null));
        router.Map("GET", "/api/exchanges/{vhost}", Access.Management, r => ListAsync(r, r.VirtualHost));
        router.Map("GET", "/api/exchanges/{vhost}/{name}", Access.Management, GetAsync);
        router.Map("PUT", "/api/exchanges/{vhost}/{name}", Access.Management, PutAsync);
        router.Map("DELETE", "/api/exchanges/{vhost}/{name}", Access.Management, DeleteAsync);
        router.Map("GET", "/api/exchanges/{vhost}/{name}/bindings/source", Access.Management, r => BindingsAsync(r, source: true));
        router.Map("GET", "/api/exchanges/{vhost}/{name}/bindings/destination", Access.Management, r => BindingsAsync(r, source: false));
        router.Map("POST", "/api/exchanges/{vhost}/{name}/publish", Access.Management, PublishAsync);
    }

    /// <summary>The exchange named in the path ("amq.default" is the default exchange), or 404.</summary>
    public static Exchange Find(ApiRequest r, Broker.VirtualHosts.VirtualHost host, string name)
    {
        if (name == DefaultName) name = "";
        return host.TryGetExchange(name, out var exchange) ? exchange : throw ApiException.NotFound();
    }

    private static Task ListAsync(ApiRequest r, Broker.VirtualHosts.VirtualHost? only)
    {
        var hosts = only is not null ? [only] : r.Broker.VirtualHosts.Where(h => r.Management.Users.CanSee(r.User, h.Name));
        var items = hosts.SelectMany(h => h.Exchanges.Select(e => (Host: h, Exchange: e)));
        return Listing.WriteAsync(r, items, i => i.Exchange.Name, i => i.Host.Name, i => Render.Exchange(i.Host, i.Exchange));
    }

    private static Task GetAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var exchange = Find(r, host, r["name"]);
        var json = Render.Exchange(host, exchange);
        json["incoming"] = new JsonArray();
        json["outgoing"] = new JsonArray();
        return r.JsonAsync(json);
    }

    private static async Task PutAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var name = Body.Name(r["name"], "exchange");
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        var type = Body.String(body, "type", "direct")!;
        var settings = new ExchangeSettings(
            Body.Bool(body, "durable", false), Body.Bool(body, "auto_delete", false), Body.Bool(body, "internal", false),
            Json.FieldValues.FromJson(Body.Object(body, "arguments")));
        if (name == DefaultName) throw ApiException.NotAuthorised();
        var existed = host.TryGetExchange(name, out _);
        BrokerErrors.Run(() => host.DeclareExchange(name, type, settings, passive: false));
        await r.CreatedOrUpdatedAsync(!existed).ConfigureAwait(false);
    }

    private static Task DeleteAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var exchange = Find(r, host, r["name"]);
        BrokerErrors.Run(() => host.DeleteExchange(exchange.Name, r.QueryFlag("if-unused")));
        return r.NoContentAsync();
    }

    private static Task BindingsAsync(ApiRequest r, bool source)
    {
        var host = r.VirtualHost;
        var exchange = Find(r, host, r["name"]);
        IEnumerable<JsonObject> bindings;
        if (exchange.Name.Length == 0)
        {
            // The default exchange's bindings are implicit: one per queue, keyed by its name.
            bindings = source ? host.Queues.OrderBy(q => q.Name, StringComparer.Ordinal).Select(q => BindingsApi.DefaultBinding(host.Name, q)) : [];
        }
        else
        {
            var list = source ? exchange.Bindings : BindingsApi.All(host).Where(b => b.Destination == exchange).ToList();
            bindings = list.Select(b => Render.Binding(host.Name, b));
        }
        return r.JsonAsync(new JsonArray([.. bindings]));
    }

    private static async Task PublishAsync(ApiRequest r)
    {
        var host = r.VirtualHost;
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        Body.Require(body, "routing_key", "properties", "payload", "payload_encoding");
        var exchange = Find(r, host, r["name"]);
        var routingKey = Body.String(body, "routing_key") ?? "";
        var payload = Body.String(body, "payload") ?? "";
        var encoding = Body.String(body, "payload_encoding");
        byte[] bytes;
        switch (encoding)
        {
            case "string":
                bytes = Encoding.UTF8.GetBytes(payload);
                break;
            case "base64":
                try
                {
                    bytes = Convert.FromBase64String(payload);
                }
                catch (FormatException)
                {
                    throw ApiException.BadRequest("payload_not_base64");
                }
                break;
            default:
                throw ApiException.BadRequest($"Unsupported payload_encoding: {encoding}");
        }
        var properties = Json.FieldValues.PropertiesFrom(Body.Object(body, "properties"));
        var message = new Message(exchange.Name, routingKey, properties, bytes);
        var result = BrokerErrors.Run(() => host.Publish(exchange.Name, message));
        await r.JsonAsync(new JsonObject { ["routed"] = result.QueueCount > 0 }).ConfigureAwait(false);
    }
}
