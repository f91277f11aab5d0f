using Warren.Broker.Security;
using Xunit;

namespace Warren.Broker.Tests.Security;

public sealed class PasswordHashingTests
{
    // Made by RabbitMQ 3.10: `rabbitmqctl add_user hashcheck 'pässwörd-42'`, then GET /api/users/hashcheck.
    private const string RabbitMqHash = "Z+LXWBuK1S/DSnXF8Lx9dY0gKf2vEcHEWLbSyWMWckfzTqDe";

    [Fact]
    public void A_password_hash_made_by_RabbitMQ_verifies_with_its_password_only()
    {
        Assert.True(PasswordHashing.TryFromRabbitMq(RabbitMqHash, out var salt, out var digest));

        Assert.Equal(4, salt.Length);
        Assert.True(PasswordHashing.Verify(salt, digest, "pässwörd-42"));
        Assert.False(PasswordHashing.Verify(salt, digest, "passwörd-42"));
    }

    [Fact]
    public void A_hash_made_here_has_RabbitMQs_shape_and_round_trips()
    {
        var salt = PasswordHashing.NewSalt();
        var digest = PasswordHashing.Hash(salt, "s3cret");

        var stored = PasswordHashing.ToRabbitMq(salt, digest);

        Assert.Equal(36, Convert.FromBase64String(stored).Length);
        Assert.True(PasswordHashing.TryFromRabbitMq(stored, out var salt2, out var digest2));
        Assert.Equal(salt, salt2);
        Assert.True(PasswordHashing.Verify(salt2, digest2, "s3cret"));
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    [InlineData("")]
    public void A_hash_that_is_not_salted_SHA_256_is_not_read(string stored)
    {
        Assert.False(PasswordHashing.TryFromRabbitMq(stored, out _, out _));
    }

    [Fact]
    public void Users_get_RabbitMQ_sized_salts_and_older_16_byte_salts_still_verify()
    {
        var users = new UserStore();
        users.AddUser("alice", "pw", loopbackOnly: false, "/");
        Assert.Equal(4, users.Authenticate("alice", "pw", true)!.Salt.Length);

        var oldSalt = new byte[16];
        Assert.True(PasswordHashing.Verify(oldSalt, PasswordHashing.Hash(oldSalt, "pw"), "pw"));
    }

    [Fact]
    public void External_login_needs_an_existing_user_and_keeps_the_loopback_rule()
    {
        var users = new UserStore();
        users.AddUser("alice", "pw", loopbackOnly: false, "/");
        users.AddUser("guest", "guest", loopbackOnly: true, "/");

        Assert.NotNull(users.AuthenticateExternal("alice", fromLoopback: false));
        Assert.Null(users.AuthenticateExternal("mallory", fromLoopback: true));
        Assert.Null(users.AuthenticateExternal("guest", fromLoopback: false));
        Assert.NotNull(users.AuthenticateExternal("guest", fromLoopback: true));
    }
}
