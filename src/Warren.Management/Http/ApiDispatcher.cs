using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Warren.Management.Http;

/// <summary>
/// The one request handler of the API: splits the raw path into decoded segments, finds the
/// route, authenticates, runs the handler, and turns every refusal into RabbitMQ's JSON error.
/// An unexpected exception is logged and answered 500 with a reason, never a crash.
/// </summary>
internal sealed class ApiDispatcher(Router router, ManagementContext management, ILogger logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            await DispatchAsync(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await WriteErrorAsync(context, e).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BadHttpRequestException or JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            await WriteErrorAsync(context, ApiException.BadRequest(e.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Management API request {Method} {Path} failed", context.Request.Method, context.Request.Path);
            await WriteErrorAsync(context, new ApiException(500, "internal_server_error", e.Message)).ConfigureAwait(false);
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.ToString();
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? raw[..query] : raw;
        if (!router.TryMatch(path.Trim('/').Split('/'), out var route, out var rawValues)) throw ApiException.NotFound();
        var method = context.Request.Method == "HEAD" ? "GET" : context.Request.Method;
        if (!route.Handlers.TryGetValue(method, out var target))
        {
            context.Response.Headers.Allow = string.Join(", ", route.Handlers.Keys);
            throw ApiException.MethodNotAllowed();
        }
        var values = rawValues.ToDictionary(p => p.Key, p => Uri.UnescapeDataString(p.Value));
        var user = management.Users.Authenticate(context);
        if (!user.Allows(target.Access)) throw ApiException.NotAuthorised();
        context.Response.Headers.CacheControl = "no-cache";
        await target.Handler(new ApiRequest(context, values, user, management)).ConfigureAwait(false);
    }

    private static Task WriteErrorAsync(HttpContext context, ApiException e)
    {
        if (context.Response.HasStarted) return Task.CompletedTask;
        context.Response.StatusCode = e.Status;
        context.Response.ContentType = "application/json";
        if (e.Status == 401) context.Response.Headers.WWWAuthenticate = "Basic realm=\"RabbitMQ Management\"";
        var body = new JsonObject { ["error"] = e.Error, ["reason"] = e.Reason?.DeepClone() };
        return context.Response.WriteAsync(body.ToJsonString(ApiRequest.s_write), context.RequestAborted);
    }
}
