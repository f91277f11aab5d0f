using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Warren.Management.Http;

namespace Warren.Management.Security;

/// <summary>A caller of the API: who it is and what its tags allow.</summary>
internal sealed record ApiUser(string Name, IReadOnlyList<string> Tags)
{
    public bool IsAdministrator => Tags.Contains("administrator");

    /// <summary>Sees every virtual host's objects (administrator or monitoring).</summary>
    public bool SeesEverything => IsAdministrator || Tags.Contains("monitoring");

    /// <summary>RabbitMQ's rules: administrator can do all; monitoring reads all; policymaker manages policies and parameters; management uses its own virtual hosts.</summary>
    public bool Allows(Access access) => access switch
    {
        Access.Anyone => true,
        Access.Management => IsAdministrator || Tags.Any(t => t is "monitoring" or "policymaker" or "management"),
        Access.PolicyMaker => IsAdministrator || Tags.Contains("policymaker"),
        Access.Monitoring => SeesEverything,
        Access.Administrator => IsAdministrator,
        _ => false,
    };
}

/// <summary>HTTP Basic authentication against the broker's users, and their access to virtual hosts.</summary>
internal sealed class ApiUsers(Broker.Broker broker)
{
    /// <summary>Checks the Authorization header; 401 when absent or wrong, or when the user has no tag that opens the API.</summary>
    public ApiUser Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) throw ApiException.LoginFailed();
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            throw ApiException.LoginFailed();
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) throw ApiException.LoginFailed();
        var name = decoded[..colon];
        var password = decoded[(colon + 1)..];
        var remote = context.Connection.RemoteIpAddress;
        var loopback = remote is null || IPAddress.IsLoopback(remote);
        var user = broker.Users.Authenticate(name, password, loopback) ?? throw ApiException.LoginFailed();
        var apiUser = new ApiUser(user.Name, TagsOf(user));
        // A user without a management tag may use AMQP but not this API (RabbitMQ's rule).
        if (!apiUser.Allows(Access.Management)) throw ApiException.LoginFailed();
        return apiUser;
    }

    // The broker's users carry no tags yet: until they do, every user who can log in is an administrator.
    private static IReadOnlyList<string> TagsOf(Broker.Security.User user) => ["administrator"];

    /// <summary>A user may see a virtual host's objects when it has permissions there, or sees everything.</summary>
    public bool CanSee(ApiUser user, string virtualHost) => user.SeesEverything || broker.Users.CanAccess(user.Name, virtualHost);

    /// <summary>401 when the user may not use the virtual host (RabbitMQ answers not_authorised).</summary>
    public void RequireVirtualHostAccess(ApiUser user, string virtualHost)
    {
        if (user.IsAdministrator && broker.Users.CanAccess(user.Name, virtualHost)) return;
        if (!CanSee(user, virtualHost)) throw ApiException.NotAuthorised();
    }
}
