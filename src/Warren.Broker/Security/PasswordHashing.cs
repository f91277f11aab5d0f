using System.Security.Cryptography;
using System.Text;

namespace Warren.Broker.Security;

/// <summary>
/// RabbitMQ's default password hashing (<c>rabbit_password_hashing_sha256</c>), so that hashes
/// move both ways in definitions files: a 4-byte random salt, SHA-256 of the salt followed by the
/// UTF-8 password, stored as base64 of salt followed by digest (36 bytes).
/// </summary>
public static class PasswordHashing
{
    /// <summary>The <c>hashing_algorithm</c> of a user in RabbitMQ's definitions.</summary>
    public const string Sha256Algorithm = "rabbit_password_hashing_sha256";

    /// <summary>Salt length in bytes: RabbitMQ's <c>rabbit_password:generate_salt/0</c> makes a 32-bit salt.</summary>
    public const int SaltLength = 4;

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltLength);

    /// <summary>SHA-256 of the salt followed by the UTF-8 password.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> salt, string password)
    {
        var bytes = new byte[salt.Length + Encoding.UTF8.GetByteCount(password)];
        salt.CopyTo(bytes);
        Encoding.UTF8.GetBytes(password, bytes.AsSpan(salt.Length));
        var digest = SHA256.HashData(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return digest;
    }

    /// <summary>True when <paramref name="password"/> hashes to <paramref name="digest"/> with <paramref name="salt"/>, in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> digest, string password) =>
        CryptographicOperations.FixedTimeEquals(Hash(salt, password), digest);

    /// <summary>The <c>password_hash</c> RabbitMQ stores: base64 of salt followed by digest.</summary>
    public static string ToRabbitMq(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> digest)
    {
        var bytes = new byte[salt.Length + digest.Length];
        salt.CopyTo(bytes);
        digest.CopyTo(bytes.AsSpan(salt.Length));
        return Convert.ToBase64String(bytes);
    }

    /// <summary>Splits a RabbitMQ <c>password_hash</c> into salt and digest; false when it is not a SHA-256 one.</summary>
    public static bool TryFromRabbitMq(string passwordHash, out byte[] salt, out byte[] digest)
    {
        salt = digest = [];
        var bytes = new byte[(passwordHash.Length + 3) / 4 * 3];
        if (!Convert.TryFromBase64String(passwordHash, bytes, out var length) || length != SaltLength + SHA256.HashSizeInBytes) return false;
        salt = bytes[..SaltLength];
        digest = bytes[SaltLength..length];
        return true;
    }
}
