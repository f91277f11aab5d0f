using System.Text.Json.Nodes;
using Warren.Broker.Queues;
using Warren.Broker.Routing;
using Warren.Broker.VirtualHosts;
using Warren.Management.Http;
using Warren.Management.Json;

namespace Warren.Management.Resources;

/// <summary>/api/bindings: e→q and e→e bindings, listed, created (with a Location header) and deleted by properties key.</summary>
internal static class BindingsApi
{
    public static void Map(Router router)
    {
        router.Map("GET", "/api/bindings", Access.Management, r => ListAsync(r, null));
        router.Map("GET", "/api/bindings/{vhost}", Access.Management, r => ListAsync(r, r.VirtualHost));
        foreach (var kind in new[] { "q", "e" })
        {
            router.Map("GET", $"/api/bindings/{{vhost}}/e/{{source}}/{kind}/{{destination}}", Access.Management, r => BetweenAsync(r, kind));
            router.Map("POST", $"/api/bindings/{{vhost}}/e/{{source}}/{kind}/{{destination}}", Access.Management, r => CreateAsync(r, kind));
            router.Map("GET", $"/api/bindings/{{vhost}}/e/{{source}}/{kind}/{{destination}}/{{props}}", Access.Management, r => GetOneAsync(r, kind));
            router.Map("DELETE", $"/api/bindings/{{vhost}}/e/{{source}}/{kind}/{{destination}}/{{props}}", Access.Management, r => DeleteAsync(r, kind));
        }
    }

    /// <summary>Every explicit binding of a host (the default exchange's are implicit).</summary>
    public static IEnumerable<Binding> All(VirtualHost host) => host.Exchanges.SelectMany(e => e.Bindings);

    public static JsonObject DefaultBinding(string vhost, Queue queue) => Render.Binding(vhost, "", queue.Name, "queue", queue.Name, null);

    private static Task ListAsync(ApiRequest r, VirtualHost? only)
    {
        var hosts = only is not null ? [only] : r.Broker.VirtualHosts.Where(h => r.Management.Users.CanSee(r.User, h.Name));
        var items = new JsonArray();
        foreach (var host in hosts.OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            foreach (var queue in host.Queues.OrderBy(q => q.Name, StringComparer.Ordinal)) items.Add(DefaultBinding(host.Name, queue));
            foreach (var binding in All(host).OrderBy(b => b.Source.Name, StringComparer.Ordinal).ThenBy(b => b.Destination.Name, StringComparer.Ordinal))
            {
                items.Add(Render.Binding(host.Name, binding));
            }
        }
        return r.JsonAsync(items);
    }

    private static (VirtualHost Host, Broker.Exchanges.Exchange Source, Destination Destination) Ends(ApiRequest r, string kind)
    {
        var host = r.VirtualHost;
        var source = ExchangesApi.Find(r, host, r["source"]);
        Destination destination;
        if (kind == "q") destination = host.TryGetQueue(r["destination"], out var queue) ? queue : throw ApiException.NotFound();
        else destination = ExchangesApi.Find(r, host, r["destination"]);
        return (host, source, destination);
    }

    private static IEnumerable<JsonObject> Matching(VirtualHost host, Broker.Exchanges.Exchange source, Destination destination)
    {
        if (source.Name.Length == 0)
        {
            return destination is Queue queue ? [DefaultBinding(host.Name, queue)] : [];
        }
        return source.Bindings.Where(b => b.Destination == destination).Select(b => Render.Binding(host.Name, b));
    }

    private static Task BetweenAsync(ApiRequest r, string kind)
    {
        var (host, source, destination) = Ends(r, kind);
        return r.JsonAsync(new JsonArray([.. Matching(host, source, destination)]));
    }

    private static Task GetOneAsync(ApiRequest r, string kind)
    {
        var (host, source, destination) = Ends(r, kind);
        var props = r["props"];
        var found = Matching(host, source, destination).FirstOrDefault(b => b["properties_key"]!.GetValue<string>() == props)
            ?? throw ApiException.NotFound();
        return r.JsonAsync(found);
    }

    private static async Task CreateAsync(ApiRequest r, string kind)
    {
        var (host, source, destination) = Ends(r, kind);
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        var routingKey = Body.String(body, "routing_key", "")!;
        var arguments = FieldValues.FromJson(Body.Object(body, "arguments"));
        if (kind == "q") BrokerErrors.Run(() => host.BindQueue(destination.Name, source.Name, routingKey, arguments, ((Queue)destination).Owner));
        else BrokerErrors.Run(() => host.BindExchange(destination.Name, source.Name, routingKey, arguments));
        // Relative to the request's path, as RabbitMQ sends it: "<destination>/<properties key>", each escaped
        // again for the path (so a.# becomes a.%2523, and reads back as the key a.%23).
        r.Http.Response.Headers.Location = Uri.EscapeDataString(destination.Name) + "/" + Uri.EscapeDataString(Render.PropertiesKey(routingKey, arguments));
        r.Http.Response.StatusCode = 201;
    }

    private static Task DeleteAsync(ApiRequest r, string kind)
    {
        var (host, source, destination) = Ends(r, kind);
        var props = r["props"];
        var binding = source.Bindings.FirstOrDefault(b => b.Destination == destination && Render.PropertiesKey(b.RoutingKey, b.Arguments) == props)
            ?? throw ApiException.NotFound();
        if (kind == "q") BrokerErrors.Run(() => host.UnbindQueue(destination.Name, source.Name, binding.RoutingKey, binding.Arguments, ((Queue)destination).Owner));
        else BrokerErrors.Run(() => host.UnbindExchange(destination.Name, source.Name, binding.RoutingKey, binding.Arguments));
        return r.NoContentAsync();
    }
}
