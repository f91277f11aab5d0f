using System.Security.Cryptography;
using System.Text;

namespace Warren.Broker.Security;

/// <summary>
/// Password hashes in RabbitMQ's format, so users exported from RabbitMQ log in to Warren and the
/// reverse: base64 of a 4-byte random salt followed by hash(salt ++ UTF-8 password), the hash named
/// by the user's hashing algorithm (rabbit_password_hashing_sha256 by default, as RabbitMQ 3.6+).
/// </summary>
/// <remarks>
/// <code>
/// +----------+---------------------------------------+
/// | salt (4) | SHA-256(salt ++ password) (32 bytes)   |   base64 of these 36 bytes
/// +----------+---------------------------------------+
/// </code>
/// </remarks>
public static class PasswordHashing
{
    /// <summary>RabbitMQ's default: salted SHA-256.</summary>
    public const string Sha256 = "rabbit_password_hashing_sha256";

    /// <summary>Salted SHA-512 (RabbitMQ's optional module).</summary>
    public const string Sha512 = "rabbit_password_hashing_sha512";

    /// <summary>Salted MD5: what RabbitMQ before 3.6 wrote; still read so old exports import.</summary>
    public const string Md5 = "rabbit_password_hashing_md5";

    // 4 bytes: the salt length RabbitMQ's rabbit_password module uses.
    private const int SaltLength = 4;

    /// <summary>True when <paramref name="algorithm"/> is one Warren can check.</summary>
    public static bool IsKnownAlgorithm(string algorithm) => algorithm is Sha256 or Sha512 or Md5;

    /// <summary>Hashes a password with a fresh salt, as RabbitMQ stores it.</summary>
    public static string Hash(string password, string algorithm = Sha256)
    {
        Span<byte> salt = stackalloc byte[SaltLength];
        RandomNumberGenerator.Fill(salt);
        return Convert.ToBase64String(HashWithSalt(salt, password, algorithm));
    }

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="passwordHash"/>. A user without
    /// a password (empty or missing hash) never matches, as in RabbitMQ.
    /// </summary>
    public static bool Verify(string? passwordHash, string algorithm, string password)
    {
        if (string.IsNullOrEmpty(passwordHash) || !IsKnownAlgorithm(algorithm)) return false;
        byte[] stored;
        try
        {
            stored = Convert.FromBase64String(passwordHash);
        }
        catch (FormatException)
        {
            return false;
        }
        if (stored.Length <= SaltLength) return false;
        var computed = HashWithSalt(stored.AsSpan(0, SaltLength), password, algorithm);
        return CryptographicOperations.FixedTimeEquals(computed, stored);
    }

    /// <summary>True when <paramref name="passwordHash"/> is empty or base64 of a salt and a hash of the algorithm's length.</summary>
    public static bool IsWellFormed(string? passwordHash, string algorithm)
    {
        if (string.IsNullOrEmpty(passwordHash)) return true;
        var buffer = new byte[passwordHash.Length];
        if (!Convert.TryFromBase64String(passwordHash, buffer, out var length)) return false;
        return length == SaltLength + algorithm switch { Sha256 => 32, Sha512 => 64, Md5 => 16, _ => -1 };
    }

    private static byte[] HashWithSalt(ReadOnlySpan<byte> salt, string password, string algorithm)
    {
        var input = new byte[salt.Length + Encoding.UTF8.GetByteCount(password)];
        salt.CopyTo(input);
        Encoding.UTF8.GetBytes(password, input.AsSpan(salt.Length));
        var digest = algorithm switch
        {
            Sha512 => SHA512.HashData(input),
#pragma warning disable CA5351 // MD5 only to read RabbitMQ's pre-3.6 exports; never written by default.
            Md5 => MD5.HashData(input),
#pragma warning restore CA5351
            _ => SHA256.HashData(input),
        };
        var result = new byte[salt.Length + digest.Length];
        salt.CopyTo(result);
        digest.CopyTo(result, salt.Length);
        return result;
    }
}
