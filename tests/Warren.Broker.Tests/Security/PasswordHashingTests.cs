using Warren.Broker.Security;
using Xunit;

namespace Warren.Broker.Tests.Security;

public sealed class PasswordHashingTests
{
    // Exported from RabbitMQ 3.10.8: the user guest with password guest.
    private const string RabbitMqGuestHash = "amN/Plriarkfj3vb1duNPVrKmj8/pLu85ZSDPYPQIxnkYxJ1";

    [Fact]
    public void A_hash_exported_from_RabbitMQ_verifies_its_password()
    {
        Assert.True(PasswordHashing.Verify(RabbitMqGuestHash, PasswordHashing.Sha256, "guest"));
        Assert.False(PasswordHashing.Verify(RabbitMqGuestHash, PasswordHashing.Sha256, "Guest"));
    }

    [Fact]
    public void A_new_hash_is_a_four_byte_salt_followed_by_sha256_of_salt_and_password()
    {
        var hash = Convert.FromBase64String(PasswordHashing.Hash("s3cret"));

        Assert.Equal(36, hash.Length);
        var input = new byte[4 + 6];
        hash.AsSpan(0, 4).CopyTo(input);
        "s3cret"u8.CopyTo(input.AsSpan(4));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(input), hash[4..]);
    }

    [Theory]
    [InlineData(PasswordHashing.Sha512)]
    [InlineData(PasswordHashing.Md5)]
    public void The_other_algorithms_RabbitMQ_writes_verify_too(string algorithm)
    {
        var hash = PasswordHashing.Hash("pw", algorithm);

        Assert.True(PasswordHashing.IsWellFormed(hash, algorithm));
        Assert.True(PasswordHashing.Verify(hash, algorithm, "pw"));
        Assert.False(PasswordHashing.Verify(hash, algorithm, "px"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void An_empty_or_malformed_hash_never_verifies(string hash)
    {
        Assert.False(PasswordHashing.Verify(hash, PasswordHashing.Sha256, ""));
    }
}
