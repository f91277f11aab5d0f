using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Warren.Broker.Storage;

namespace Warren.Broker.Security;

/// <summary>
/// The users of a broker, their per-virtual-host permissions, topic permissions and limits.
/// Every password check and every permission check happens here, once for every protocol.
/// </summary>
public sealed partial class UserStore
{
    private readonly ConcurrentDictionary<string, User> _users = new();
    private readonly ConcurrentDictionary<(string User, string VirtualHost), CompiledPermission> _permissions = new();
    private readonly ConcurrentDictionary<(string User, string VirtualHost, string Exchange), CompiledTopicPermission> _topicPermissions = new();
    private readonly HashSet<string> _loopbackUsers;
    private readonly object _sync = new();
    private long _version;

    /// <summary>Creates an empty store; <paramref name="loopbackUsers"/> may log in only from this machine (RabbitMQ's loopback_users, default guest).</summary>
    public UserStore(IEnumerable<string>? loopbackUsers = null) => _loopbackUsers = new HashSet<string>(loopbackUsers ?? ["guest"]);

    /// <summary>Told of every change, for the definitions log.</summary>
    internal Action<DefinitionRecord>? Log { get; set; }

    /// <summary>Tells whether a virtual host exists (set by the broker; permissions need one).</summary>
    internal Func<string, bool> VirtualHostExists { get; set; } = static _ => true;

    /// <summary>Changes whenever a user, permission or limit changes, so callers may cache checks.</summary>
    public long Version => Volatile.Read(ref _version);

    /// <summary>A snapshot of the users.</summary>
    public IReadOnlyCollection<User> Users => _users.Values.ToArray();

    /// <summary>Finds a user.</summary>
    public bool TryGetUser(string name, out User user) => _users.TryGetValue(name, out user!);

    /// <summary>True when <paramref name="name"/> may log in only from a loopback address.</summary>
    public bool IsLoopbackOnly(string name) => _loopbackUsers.Contains(name);

    /// <summary>Adds or replaces a user with a password (hashed with salted SHA-256); a null password makes a user who cannot log in with one. Existing limits are kept.</summary>
    public User PutUser(string name, string? password, IEnumerable<string>? tags = null) =>
        PutUserWithHash(name, password is null ? "" : PasswordHashing.Hash(password), PasswordHashing.Sha256, tags);

    /// <summary>Adds or replaces a user with an already hashed password in RabbitMQ's format (as definitions and the management API carry it).</summary>
    public User PutUserWithHash(string name, string passwordHash, string hashingAlgorithm, IEnumerable<string>? tags = null)
    {
        CheckName(name, "user");
        if (!PasswordHashing.IsKnownAlgorithm(hashingAlgorithm))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"unsupported hashing algorithm '{hashingAlgorithm}'");
        }
        if (!PasswordHashing.IsWellFormed(passwordHash, hashingAlgorithm))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"password_hash of user '{name}' is not a valid {hashingAlgorithm} hash");
        }
        lock (_sync)
        {
            var limits = _users.TryGetValue(name, out var existing) ? existing.Limits : UserLimits.None;
            var user = new User(name, passwordHash, hashingAlgorithm, NormaliseTags(tags), limits);
            _users[name] = user;
            Changed();
            Log?.Invoke(UserRecord(user));
            return user;
        }
    }

    /// <summary>Deletes a user with its permissions, topic permissions and limits; false when there was none.</summary>
    public bool DeleteUser(string name)
    {
        lock (_sync)
        {
            if (!_users.TryRemove(name, out _)) return false;
            foreach (var key in _permissions.Keys) if (key.User == name) ClearPermission(key.User, key.VirtualHost);
            foreach (var key in _topicPermissions.Keys) if (key.User == name) ClearTopicPermissions(key.User, key.VirtualHost, key.Exchange);
            Changed();
            Log?.Invoke(new DefinitionRecord("user-", "", name));
            return true;
        }
    }

    /// <summary>Sets a user's limits; throws 404 for an unknown user.</summary>
    public User SetLimits(string name, UserLimits limits)
    {
        lock (_sync)
        {
            if (!_users.TryGetValue(name, out var existing)) throw NoUser(name);
            var user = existing with { Limits = limits };
            _users[name] = user;
            Changed();
            Log?.Invoke(UserRecord(user));
            return user;
        }
    }

    /// <summary>
    /// Checks a user's password and origin (the one place Warren checks a password); null when
    /// refused: unknown user, no password, wrong password, or a loopback-only user from elsewhere.
    /// </summary>
    public User? Authenticate(string name, string password, bool fromLoopback)
    {
        if (!_users.TryGetValue(name, out var user)) return null;
        if (!PasswordHashing.Verify(user.PasswordHash, user.HashingAlgorithm, password)) return null;
        if (!fromLoopback && IsLoopbackOnly(name)) return null;
        return user;
    }

    /// <summary>
    /// Logs in a user whose identity something else proved (SASL EXTERNAL: a verified client
    /// certificate), with no password; the origin rule still applies. Null when refused.
    /// </summary>
    public User? AuthenticateExternal(string name, bool fromLoopback) =>
        _users.TryGetValue(name, out var user) && (fromLoopback || !IsLoopbackOnly(name)) ? user : null;

    internal void Restore(User user) => _users[user.Name] = user;

    private static List<string> NormaliseTags(IEnumerable<string>? tags)
    {
        if (tags is null) return [];
        var result = new List<string>();
        foreach (var tag in tags)
        {
            var trimmed = tag.Trim();
            if (trimmed.Length > 0 && !result.Contains(trimmed)) result.Add(trimmed);
        }
        return result;
    }

    private void Changed() => Interlocked.Increment(ref _version);

    internal static BrokerException NoUser(string name) => new(BrokerError.NotFound, $"no user '{name}'");

    private static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name)) throw new BrokerException(BrokerError.PreconditionFailed, $"{what} name must not be empty");
    }

    internal static DefinitionRecord UserRecord(User user) => new("user+", "", user.Name)
    {
        PasswordHash = user.PasswordHash,
        Type = user.HashingAlgorithm,
        Tags = [.. user.Tags],
        Limits = LimitsText(user.Limits.MaxConnections, user.Limits.MaxChannels),
    };

    internal static long?[]? LimitsText(long? first, long? second) => first is null && second is null ? null : [first, second];

    internal static Regex Compile(string pattern, string what)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new BrokerException(BrokerError.PreconditionFailed, $"invalid regular expression '{pattern}' for {what}: {e.Message}");
        }
    }
}
