using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Warren.Broker.VirtualHosts;
using Warren.Management.Security;

namespace Warren.Management.Http;

/// <summary>One API call: the decoded route values, the caller, the body, and the ways to answer.</summary>
internal sealed class ApiRequest(HttpContext context, Dictionary<string, string> values, ApiUser user, ManagementContext management)
{
    // RabbitMQ writes "->" in connection names as is, not \u003E.
    internal static readonly JsonSerializerOptions s_write = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public HttpContext Http { get; } = context;

    public ApiUser User { get; } = user;

    public ManagementContext Management { get; } = management;

    public Broker.Broker Broker => Management.Broker;

    public string Method => Http.Request.Method;

    /// <summary>A decoded route value ({vhost}, {name}, …).</summary>
    public string this[string name] => values[name];

    public string? Query(string name) => Http.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>True for ?name=true (RabbitMQ's if-empty, if-unused, disable_stats, …).</summary>
    public bool QueryFlag(string name) => string.Equals(Query(name), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The virtual host named by {vhost}, or 404 not_found/vhost_not_found; the caller must have access.</summary>
    public VirtualHost VirtualHost
    {
        get
        {
            if (!Broker.TryGetVirtualHost(this["vhost"], out var host)) throw ApiException.NoVirtualHost();
            Management.Users.RequireVirtualHostAccess(User, host.Name);
            return host;
        }
    }

    /// <summary>
    /// The request body as a JSON object. An empty body reads as {} (RabbitMQ accepts it for a
    /// PUT of a queue or exchange); anything that is not a JSON object is 400 not_json.
    /// </summary>
    public async Task<JsonObject> ReadBodyAsync()
    {
        using var reader = new StreamReader(Http.Request.Body);
        var text = await reader.ReadToEndAsync(Http.RequestAborted).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) return [];
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject
                ?? throw ApiException.BadRequest("not_json");
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("not_json");
        }
    }

    public Task JsonAsync(JsonNode? node, int status = 200)
    {
        Http.Response.StatusCode = status;
        Http.Response.ContentType = "application/json";
        return Http.Response.WriteAsync(node?.ToJsonString(s_write) ?? "null", Http.RequestAborted);
    }

    /// <summary>201 for a resource that did not exist, 204 for one that did (RabbitMQ's PUT answers).</summary>
    public Task CreatedOrUpdatedAsync(bool created)
    {
        Http.Response.StatusCode = created ? 201 : 204;
        return Task.CompletedTask;
    }

    public Task NoContentAsync()
    {
        Http.Response.StatusCode = 204;
        return Task.CompletedTask;
    }
}
