using System.Text.RegularExpressions;
using Warren.Broker.Storage;

namespace Warren.Broker.Security;

// Permissions and topic permissions: setting them, and checking an operation against them with
// RabbitMQ's rules and refusal texts.
public sealed partial class UserStore
{
    private sealed record CompiledPermission(Permission Permission, Regex? Configure, Regex? Write, Regex? Read);

    private sealed record CompiledTopicPermission(TopicPermission Permission, Regex? Write, Regex? Read);

    /// <summary>A snapshot of the permissions.</summary>
    public IReadOnlyCollection<Permission> Permissions => _permissions.Values.Select(p => p.Permission).ToArray();

    /// <summary>A snapshot of the topic permissions.</summary>
    public IReadOnlyCollection<TopicPermission> TopicPermissions => _topicPermissions.Values.Select(p => p.Permission).ToArray();

    /// <summary>A user's permission in a virtual host, or null.</summary>
    public Permission? GetPermission(string user, string virtualHost) =>
        _permissions.TryGetValue((user, virtualHost), out var compiled) ? compiled.Permission : null;

    /// <summary>True when the user has a permission entry for the virtual host (what connection.open needs).</summary>
    public bool CanAccess(string user, string virtualHost) => _permissions.ContainsKey((user, virtualHost));

    /// <summary>Sets a user's permission in a virtual host; 404 for an unknown user or virtual host, 406 for an invalid regular expression.</summary>
    public void SetPermission(Permission permission)
    {
        lock (_sync)
        {
            CheckUserAndHost(permission.User, permission.VirtualHost);
            var compiled = new CompiledPermission(permission,
                Expression(permission.Configure, "configure"), Expression(permission.Write, "write"), Expression(permission.Read, "read"));
            _permissions[(permission.User, permission.VirtualHost)] = compiled;
            Changed();
            Log?.Invoke(new DefinitionRecord("permission+", permission.VirtualHost, permission.User)
            {
                Patterns = [permission.Configure, permission.Write, permission.Read],
            });
        }
    }

    /// <summary>Removes a user's permission in a virtual host; false when there was none.</summary>
    public bool ClearPermission(string user, string virtualHost)
    {
        lock (_sync)
        {
            if (!_permissions.TryRemove((user, virtualHost), out _)) return false;
            Changed();
            Log?.Invoke(new DefinitionRecord("permission-", virtualHost, user));
            return true;
        }
    }

    /// <summary>Sets a user's topic permission on one exchange of a virtual host.</summary>
    public void SetTopicPermission(TopicPermission permission)
    {
        lock (_sync)
        {
            CheckUserAndHost(permission.User, permission.VirtualHost);
            var compiled = new CompiledTopicPermission(permission, Expression(permission.Write, "write"), Expression(permission.Read, "read"));
            _topicPermissions[(permission.User, permission.VirtualHost, permission.Exchange)] = compiled;
            Changed();
            Log?.Invoke(new DefinitionRecord("topic-permission+", permission.VirtualHost, permission.User)
            {
                Destination = permission.Exchange,
                Patterns = [permission.Write, permission.Read],
            });
        }
    }

    /// <summary>Removes a user's topic permissions in a virtual host: on one exchange, or on all when <paramref name="exchange"/> is null.</summary>
    public bool ClearTopicPermissions(string user, string virtualHost, string? exchange = null)
    {
        lock (_sync)
        {
            var removed = false;
            foreach (var key in _topicPermissions.Keys)
            {
                if (key.User != user || key.VirtualHost != virtualHost || exchange is not null && key.Exchange != exchange) continue;
                if (!_topicPermissions.TryRemove(key, out _)) continue;
                removed = true;
                Log?.Invoke(new DefinitionRecord("topic-permission-", virtualHost, user) { Destination = key.Exchange });
            }
            if (removed) Changed();
            return removed;
        }
    }

    /// <summary>Drops every permission in a deleted virtual host.</summary>
    internal void ForgetVirtualHost(string virtualHost)
    {
        lock (_sync)
        {
            foreach (var key in _permissions.Keys) if (key.VirtualHost == virtualHost) _permissions.TryRemove(key, out _);
            foreach (var key in _topicPermissions.Keys) if (key.VirtualHost == virtualHost) _topicPermissions.TryRemove(key, out _);
            Changed();
        }
    }

    /// <summary>
    /// Throws 403 ACCESS_REFUSED with RabbitMQ's text unless <paramref name="user"/> has
    /// <paramref name="access"/> on the resource: its permission's expression for that kind must
    /// match the resource name (an empty expression matches nothing).
    /// </summary>
    public void CheckAccess(string user, string virtualHost, ResourceKind kind, string name, AccessKind access)
    {
        if (HasAccess(user, virtualHost, name, access)) return;
        throw new BrokerException(BrokerError.AccessRefused,
            $"access to {(kind == ResourceKind.Queue ? "queue" : "exchange")} '{name}' in vhost '{virtualHost}' refused for user '{user}'");
    }

    /// <summary>True when <paramref name="user"/> has <paramref name="access"/> on a resource named <paramref name="name"/>.</summary>
    public bool HasAccess(string user, string virtualHost, string name, AccessKind access)
    {
        if (!_permissions.TryGetValue((user, virtualHost), out var compiled)) return false;
        var expression = access switch { AccessKind.Configure => compiled.Configure, AccessKind.Write => compiled.Write, _ => compiled.Read };
        return Matches(expression, name, user, virtualHost);
    }

    /// <summary>
    /// Throws 403 unless the routing key is allowed by the user's topic permission on a topic
    /// exchange. No topic permission on the exchange allows everything (RabbitMQ).
    /// </summary>
    public void CheckTopicAccess(string user, string virtualHost, string exchange, string routingKey, AccessKind access)
    {
        if (!_topicPermissions.TryGetValue((user, virtualHost, exchange), out var compiled)) return;
        var expression = access == AccessKind.Write ? compiled.Write : compiled.Read;
        if (Matches(expression, routingKey, user, virtualHost)) return;
        throw new BrokerException(BrokerError.AccessRefused,
            $"access to topic '{routingKey}' in exchange '{exchange}' in vhost '{virtualHost}' refused for user '{user}'");
    }

    /// <summary>True when the user has any topic permission in the virtual host (a fast path for publishers without).</summary>
    public bool HasTopicPermissions(string user, string virtualHost)
    {
        foreach (var key in _topicPermissions.Keys) if (key.User == user && key.VirtualHost == virtualHost) return true;
        return false;
    }

    // RabbitMQ expands {username} and {vhost} in expressions before matching; an expression
    // holding them is compiled per check (rare, and never on the cached publish path).
    private static bool Matches(Regex? expression, string name, string user, string virtualHost)
    {
        if (expression is null) return false;
        var pattern = expression.ToString();
        if (pattern.Contains("{username}", StringComparison.Ordinal) || pattern.Contains("{vhost}", StringComparison.Ordinal))
        {
            var expanded = pattern.Replace("{username}", Regex.Escape(user), StringComparison.Ordinal).Replace("{vhost}", Regex.Escape(virtualHost), StringComparison.Ordinal);
            return Regex.IsMatch(name, expanded, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        return expression.IsMatch(name);
    }

    private static Regex? Expression(string pattern, string what) => pattern.Length == 0 ? null : Compile(pattern, what);

    private void CheckUserAndHost(string user, string virtualHost)
    {
        if (!_users.ContainsKey(user)) throw NoUser(user);
        if (!VirtualHostExists(virtualHost)) throw new BrokerException(BrokerError.NotFound, $"no vhost '{virtualHost}'");
    }

    internal void RestorePermission(Permission permission) =>
        _permissions[(permission.User, permission.VirtualHost)] = new CompiledPermission(permission,
            Expression(permission.Configure, "configure"), Expression(permission.Write, "write"), Expression(permission.Read, "read"));

    internal void RestoreTopicPermission(TopicPermission permission) =>
        _topicPermissions[(permission.User, permission.VirtualHost, permission.Exchange)] =
            new CompiledTopicPermission(permission, Expression(permission.Write, "write"), Expression(permission.Read, "read"));
}
