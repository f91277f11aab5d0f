using System.Text.Json.Nodes;

namespace Warren.Management.Http;

/// <summary>
/// An answer other than success, with RabbitMQ's status code and its <c>{"error","reason"}</c>
/// body. Handlers throw it; the dispatcher writes it. Nothing else becomes an HTTP error, so bad
/// input never turns into a 500.
/// </summary>
internal sealed class ApiException(int status, string error, JsonNode? reason) : Exception(reason?.ToJsonString())
{
    public int Status { get; } = status;

    public string Error { get; } = error;

    public JsonNode? Reason { get; } = reason;

    /// <summary>404 as RabbitMQ gives it for an unknown object.</summary>
    public static ApiException NotFound() => new(404, "Object Not Found", "Not Found");

    /// <summary>404 for a path naming a virtual host that does not exist.</summary>
    public static ApiException NoVirtualHost() => new(404, "not_found", "vhost_not_found");

    /// <summary>400 bad_request with a reason text.</summary>
    public static ApiException BadRequest(string reason) => new(400, "bad_request", reason);

    /// <summary>400 bad_request with an Erlang-shaped reason such as ["not_boolean","x"].</summary>
    public static ApiException BadRequest(JsonNode reason) => new(400, "bad_request", reason);

    /// <summary>401: no or wrong credentials.</summary>
    public static ApiException LoginFailed() => new(401, "not_authorized", "Login failed");

    /// <summary>401 (RabbitMQ answers 401 for a refused operation too): the user lacks a tag or permission.</summary>
    public static ApiException NotAuthorised(string reason = "Access refused.") => new(401, "not_authorised", reason);

    /// <summary>405 for a method the resource does not support.</summary>
    public static ApiException MethodNotAllowed() => new(405, "Method Not Allowed", "Method Not Allowed");
}
