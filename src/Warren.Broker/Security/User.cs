namespace Warren.Broker.Security;

/// <summary>A user: a name, a password hash in RabbitMQ's format and tags.</summary>
/// <param name="Name">The user name.</param>
/// <param name="PasswordHash">Base64 of salt and hash (see <see cref="PasswordHashing"/>); empty: no password, the user cannot log in with one.</param>
/// <param name="HashingAlgorithm">RabbitMQ's name of the hash, e.g. rabbit_password_hashing_sha256.</param>
/// <param name="Tags">Tags such as administrator, monitoring, policymaker, management (RabbitMQ's management rules).</param>
/// <param name="Limits">Per-user limits.</param>
public sealed record User(string Name, string PasswordHash, string HashingAlgorithm, IReadOnlyList<string> Tags, UserLimits Limits)
{
    /// <summary>True when the user has a password to log in with.</summary>
    public bool HasPassword => PasswordHash.Length > 0;

    /// <summary>True when the user carries <paramref name="tag"/>.</summary>
    public bool HasTag(string tag)
    {
        foreach (var t in Tags)
        {
            if (t == tag) return true;
        }
        return false;
    }
}

/// <summary>RabbitMQ's user tags for its management rules.</summary>
public static class UserTags
{
    /// <summary>Everything, including users, permissions and other users' connections.</summary>
    public const string Administrator = "administrator";
    /// <summary>Read-only view of everything.</summary>
    public const string Monitoring = "monitoring";
    /// <summary>Policies and parameters of the virtual hosts it can access.</summary>
    public const string PolicyMaker = "policymaker";
    /// <summary>The management API for its own virtual hosts.</summary>
    public const string Management = "management";
    /// <summary>Impersonates another user in user-id checks.</summary>
    public const string Impersonator = "impersonator";
}

/// <summary>Per-user limits (RabbitMQ's user limits); null: unlimited.</summary>
/// <param name="MaxConnections">Most connections of this user at once.</param>
/// <param name="MaxChannels">Most channels of this user at once, across its connections.</param>
public sealed record UserLimits(long? MaxConnections = null, long? MaxChannels = null)
{
    /// <summary>No limits.</summary>
    public static UserLimits None { get; } = new();

    /// <summary>RabbitMQ's limit names.</summary>
    public const string MaxConnectionsKey = "max-connections";
    /// <summary>RabbitMQ's limit names.</summary>
    public const string MaxChannelsKey = "max-channels";
}
