using Warren.Broker.Security;
using Xunit;

namespace Warren.Broker.Tests.Security;

public sealed class UserStoreTests
{
    [Fact]
    public void A_user_with_the_right_password_is_authenticated()
    {
        var users = new UserStore();
        users.AddUser("alice", "s3cret", loopbackOnly: false, "/");

        var user = users.Authenticate("alice", "s3cret", fromLoopback: false);

        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Contains("/", user.VirtualHosts);
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("alice", "")]
    [InlineData("alice", "S3CRET")]
    [InlineData("bob", "s3cret")]
    public void A_wrong_password_or_an_unknown_user_is_refused(string name, string password)
    {
        var users = new UserStore();
        users.AddUser("alice", "s3cret", loopbackOnly: false, "/");

        Assert.Null(users.Authenticate(name, password, fromLoopback: true));
    }

    [Fact]
    public void A_loopback_only_user_is_refused_from_a_remote_address_even_with_the_right_password()
    {
        var users = new UserStore();
        users.AddUser("guest", "guest", loopbackOnly: true, "/");

        Assert.Null(users.Authenticate("guest", "guest", fromLoopback: false));
        Assert.NotNull(users.Authenticate("guest", "guest", fromLoopback: true));
    }

    [Fact]
    public void Replacing_a_user_changes_the_password()
    {
        var users = new UserStore();
        users.AddUser("alice", "old", loopbackOnly: false, "/");
        users.AddUser("alice", "new", loopbackOnly: false, "/");

        Assert.Null(users.Authenticate("alice", "old", true));
        Assert.NotNull(users.Authenticate("alice", "new", true));
    }

    [Fact]
    public void A_user_may_open_only_its_virtual_hosts()
    {
        var users = new UserStore();
        users.AddUser("alice", "pw", loopbackOnly: false, "/", "billing");

        Assert.True(users.CanAccess("alice", "billing"));
        Assert.False(users.CanAccess("alice", "shipping"));
        Assert.False(users.CanAccess("nobody", "/"));
    }

    [Fact]
    public void The_same_password_is_stored_with_a_different_salt_per_user()
    {
        var users = new UserStore();
        users.AddUser("a", "pw", false, "/");
        users.AddUser("b", "pw", false, "/");

        var a = users.Authenticate("a", "pw", true)!;
        var b = users.Authenticate("b", "pw", true)!;

        Assert.NotEqual(a.PasswordHash, b.PasswordHash);
    }
}
