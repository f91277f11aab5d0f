using System.Text.Json.Nodes;
using Warren.Management.Http;
using Warren.Management.Json;
using Warren.Management.Statistics;

namespace Warren.Management.Resources;

/// <summary>/api/vhosts.</summary>
internal static class VirtualHostsApi
{
    public static void Map(Router router)
    {
        router.Map("GET", "/api/vhosts", Access.Management, ListAsync);
        router.Map("GET", "/api/vhosts/{vhost}", Access.Management, r =>
        {
            var host = r.VirtualHost;
            return r.JsonAsync(Render.VirtualHost(r.Management, host, StatsAggregation.VirtualHost(r.Broker, host)));
        });
        router.Map("PUT", "/api/vhosts/{vhost}", Access.Administrator, PutAsync);
        router.Map("DELETE", "/api/vhosts/{vhost}", Access.Administrator, DeleteAsync);
    }

    private static Task ListAsync(ApiRequest r)
    {
        var live = StatsAggregation.LiveChannelStats(r.Broker);
        var hosts = r.Broker.VirtualHosts.Where(h => r.Management.Users.CanSee(r.User, h.Name));
        return Listing.WriteAsync(r, hosts, h => h.Name, _ => null,
            h => Render.VirtualHost(r.Management, h, StatsAggregation.VirtualHost(r.Broker, h, live)));
    }

    private static async Task PutAsync(ApiRequest r)
    {
        var name = Body.Name(r["vhost"], "vhost");
        await r.ReadBodyAsync().ConfigureAwait(false);
        var existed = r.Broker.TryGetVirtualHost(name, out _);
        r.Broker.AddVirtualHost(name);
        await r.CreatedOrUpdatedAsync(!existed).ConfigureAwait(false);
    }

    private static Task DeleteAsync(ApiRequest r)
    {
        if (!r.Broker.TryGetVirtualHost(r["vhost"], out _)) throw ApiException.NotFound();
        throw ApiException.MethodNotAllowed();
    }
}
