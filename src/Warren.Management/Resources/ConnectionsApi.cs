using System.Text.Json.Nodes;
using Warren.Broker.Clients;
using Warren.Management.Http;

namespace Warren.Management.Resources;

/// <summary>/api/connections, /api/channels, /api/consumers.</summary>
internal static class ConnectionsApi
{
    public static void Map(Router router)
    {
        router.Map("GET", "/api/connections", Access.Management, r => ListConnectionsAsync(r, null));
        router.Map("GET", "/api/vhosts/{vhost}/connections", Access.Management, r => ListConnectionsAsync(r, r.VirtualHost.Name));
        router.Map("GET", "/api/connections/{name}", Access.Management, r => r.JsonAsync(Render.Connection(r.Management, Find(r))));
        router.Map("DELETE", "/api/connections/{name}", Access.Management, CloseAsync);
        router.Map("GET", "/api/connections/{name}/channels", Access.Management, r =>
            r.JsonAsync(new JsonArray([.. Find(r).Channels.Select(c => (JsonNode)Render.Channel(r.Management, c))])));
        router.Map("GET", "/api/channels", Access.Management, r => ListChannelsAsync(r, null));
        router.Map("GET", "/api/vhosts/{vhost}/channels", Access.Management, r => ListChannelsAsync(r, r.VirtualHost.Name));
        router.Map("GET", "/api/channels/{name}", Access.Management, GetChannelAsync);
        router.Map("GET", "/api/consumers", Access.Management, r => ListConsumersAsync(r, null));
        router.Map("GET", "/api/consumers/{vhost}", Access.Management, r => ListConsumersAsync(r, r.VirtualHost.Name));
    }

    // Management users see their own connections; monitoring and administrators see all (RabbitMQ's rule).
    private static IEnumerable<IClientConnection> Visible(ApiRequest r, string? vhost) =>
        r.Broker.Clients.Connections.Where(c =>
            (vhost is null || c.VirtualHost == vhost) && (r.User.SeesEverything || c.User == r.User.Name));

    private static IClientConnection Find(ApiRequest r) =>
        Visible(r, null).FirstOrDefault(c => c.Name == r["name"]) ?? throw ApiException.NotFound();

    private static Task ListConnectionsAsync(ApiRequest r, string? vhost) =>
        Listing.WriteAsync(r, Visible(r, vhost), c => c.Name, c => c.VirtualHost, c => Render.Connection(r.Management, c));

    private static Task CloseAsync(ApiRequest r)
    {
        var connection = Find(r);
        // X-Reason becomes the close reason, as in RabbitMQ ("Closed via management plugin" without it).
        var reason = r.Http.Request.Headers["X-Reason"].ToString();
        connection.Close(string.IsNullOrEmpty(reason) ? "Closed via management plugin" : reason);
        return r.NoContentAsync();
    }

    private static Task ListChannelsAsync(ApiRequest r, string? vhost) =>
        Listing.WriteAsync(r, Visible(r, vhost).SelectMany(c => c.Channels), Render.ChannelName, c => c.Connection.VirtualHost,
            c => Render.Channel(r.Management, c));

    private static Task GetChannelAsync(ApiRequest r)
    {
        var channel = Visible(r, null).SelectMany(c => c.Channels).FirstOrDefault(c => Render.ChannelName(c) == r["name"])
            ?? throw ApiException.NotFound();
        var json = Render.Channel(r.Management, channel);
        json["consumer_details"] = new JsonArray([.. r.Broker.VirtualHosts.SelectMany(h => h.Queues).SelectMany(q => q.Consumers)
            .Where(c => c.ClientChannel == channel).Select(c => (JsonNode)Render.Consumer(r.Management, c))]);
        return r.JsonAsync(json);
    }

    private static Task ListConsumersAsync(ApiRequest r, string? vhost)
    {
        var hosts = r.Broker.VirtualHosts.Where(h => (vhost is null || h.Name == vhost) && r.Management.Users.CanSee(r.User, h.Name));
        var consumers = hosts.SelectMany(h => h.Queues).SelectMany(q => q.Consumers)
            .Where(c => r.User.SeesEverything || c.ClientChannel?.Connection.User == r.User.Name);
        return r.JsonAsync(new JsonArray([.. consumers.Select(c => (JsonNode)Render.Consumer(r.Management, c))]));
    }
}
