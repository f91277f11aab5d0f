using System.Collections.Concurrent;

namespace Warren.Broker.Security;

/// <summary>A user who may connect.</summary>
/// <param name="Name">The user name.</param>
/// <param name="PasswordHash">SHA-256 of the salt and the password (see <see cref="PasswordHashing"/>).</param>
/// <param name="Salt">The salt: 4 random bytes, as RabbitMQ makes them (users stored by earlier versions have 16).</param>
/// <param name="LoopbackOnly">May connect only from the local machine (RabbitMQ's rule for guest).</param>
/// <param name="VirtualHosts">The virtual hosts it may open.</param>
public sealed record User(string Name, byte[] PasswordHash, byte[] Salt, bool LoopbackOnly, IReadOnlySet<string> VirtualHosts);

/// <summary>The users of a broker.</summary>
public sealed class UserStore
{
    private readonly ConcurrentDictionary<string, User> _users = new();

    /// <summary>Adds or replaces a user.</summary>
    public void AddUser(string name, string password, bool loopbackOnly, params string[] virtualHosts)
    {
        var salt = PasswordHashing.NewSalt();
        var user = new User(name, PasswordHashing.Hash(salt, password), salt, loopbackOnly, new HashSet<string>(virtualHosts));
        _users[name] = user;
        Added?.Invoke(user);
    }

    /// <summary>Told of every user added or replaced (the broker persists them).</summary>
    internal Action<User>? Added { get; set; }

    /// <summary>Puts back a user read from the data folder.</summary>
    internal void Restore(User user) => _users[user.Name] = user;

    /// <summary>Checks a user's password and origin; null when refused.</summary>
    public User? Authenticate(string name, string password, bool fromLoopback)
    {
        if (!_users.TryGetValue(name, out var user)) return null;
        if (!PasswordHashing.Verify(user.Salt, user.PasswordHash, password)) return null;
        if (user.LoopbackOnly && !fromLoopback) return null;
        return user;
    }

    /// <summary>
    /// Logs in a user whose identity something else proved (SASL EXTERNAL: a verified client
    /// certificate), with no password; the origin rule still applies. Null when refused.
    /// </summary>
    public User? AuthenticateExternal(string name, bool fromLoopback) =>
        _users.TryGetValue(name, out var user) && (!user.LoopbackOnly || fromLoopback) ? user : null;

    /// <summary>True when the user may open the virtual host.</summary>
    public bool CanAccess(string name, string virtualHost) =>
        _users.TryGetValue(name, out var user) && user.VirtualHosts.Contains(virtualHost);
}
