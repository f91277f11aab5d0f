using Warren.Broker.Security;
using Xunit;

namespace Warren.Broker.Tests.Security;

public sealed class UserStoreTests
{
    [Fact]
    public void A_user_with_the_right_password_is_authenticated()
    {
        var users = new UserStore();
        users.PutUser("alice", "s3cret", ["monitoring"]);

        var user = users.Authenticate("alice", "s3cret", fromLoopback: false);

        Assert.NotNull(user);
        Assert.Equal("alice", user.Name);
        Assert.Equal(["monitoring"], user.Tags);
        Assert.Equal(PasswordHashing.Sha256, user.HashingAlgorithm);
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("alice", "")]
    [InlineData("alice", "S3CRET")]
    [InlineData("bob", "s3cret")]
    public void A_wrong_password_or_an_unknown_user_is_refused(string name, string password)
    {
        var users = new UserStore();
        users.PutUser("alice", "s3cret");

        Assert.Null(users.Authenticate(name, password, fromLoopback: true));
    }

    [Fact]
    public void A_loopback_only_user_is_refused_from_a_remote_address_even_with_the_right_password()
    {
        var users = new UserStore();
        users.PutUser("guest", "guest");

        Assert.Null(users.Authenticate("guest", "guest", fromLoopback: false));
        Assert.NotNull(users.Authenticate("guest", "guest", fromLoopback: true));
    }

    [Fact]
    public void A_user_without_a_password_cannot_log_in_with_any()
    {
        var users = new UserStore();
        users.PutUser("svc", password: null);

        Assert.Null(users.Authenticate("svc", "", fromLoopback: true));
        Assert.Null(users.Authenticate("svc", "anything", fromLoopback: true));
        Assert.True(users.TryGetUser("svc", out var svc));
        Assert.False(svc.HasPassword);
    }

    [Fact]
    public void Replacing_a_user_changes_the_password()
    {
        var users = new UserStore();
        users.PutUser("alice", "old");
        users.PutUser("alice", "new");

        Assert.Null(users.Authenticate("alice", "old", true));
        Assert.NotNull(users.Authenticate("alice", "new", true));
    }

    [Fact]
    public void A_user_may_open_only_the_virtual_hosts_it_has_permissions_in()
    {
        var users = new UserStore();
        users.PutUser("alice", "pw");
        users.SetPermission(new Permission("alice", "billing", ".*", ".*", ".*"));

        Assert.True(users.CanAccess("alice", "billing"));
        Assert.False(users.CanAccess("alice", "shipping"));
        Assert.False(users.CanAccess("nobody", "/"));
    }

    [Fact]
    public void The_same_password_is_stored_with_a_different_salt_per_user()
    {
        var users = new UserStore();
        users.PutUser("a", "pw");
        users.PutUser("b", "pw");

        Assert.True(users.TryGetUser("a", out var a));
        Assert.True(users.TryGetUser("b", out var b));
        Assert.NotEqual(a.PasswordHash, b.PasswordHash);
    }

    [Fact]
    public void Deleting_a_user_removes_its_permissions()
    {
        var users = new UserStore();
        users.PutUser("alice", "pw");
        users.SetPermission(new Permission("alice", "/", ".*", ".*", ".*"));
        users.SetTopicPermission(new TopicPermission("alice", "/", "amq.topic", ".*", ".*"));

        Assert.True(users.DeleteUser("alice"));

        Assert.Empty(users.Permissions);
        Assert.Empty(users.TopicPermissions);
        Assert.False(users.DeleteUser("alice"));
    }

    [Fact]
    public void A_permission_for_an_unknown_user_is_refused_with_not_found()
    {
        var users = new UserStore();

        var error = Assert.Throws<BrokerException>(() => users.SetPermission(new Permission("ghost", "/", ".*", ".*", ".*")));

        Assert.Equal(BrokerError.NotFound, error.Error);
    }

    [Fact]
    public void An_invalid_regular_expression_is_refused_naming_it()
    {
        var users = new UserStore();
        users.PutUser("alice", "pw");

        var error = Assert.Throws<BrokerException>(() => users.SetPermission(new Permission("alice", "/", "(", ".*", ".*")));

        Assert.Equal(BrokerError.PreconditionFailed, error.Error);
        Assert.Contains("'('", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^orders\\.", "orders.new", true)]
    [InlineData("^orders\\.", "billing.orders.new", false)]
    [InlineData("orders", "billing.orders", true)]
    [InlineData("", "anything", false)]
    [InlineData("^{username}-", "alice-q", true)]
    [InlineData("^{username}-", "bob-q", false)]
    public void Permissions_match_like_RabbitMQs_unanchored_regular_expressions(string pattern, string name, bool allowed)
    {
        var users = new UserStore();
        users.PutUser("alice", "pw");
        users.SetPermission(new Permission("alice", "/", pattern, pattern, pattern));

        Assert.Equal(allowed, users.HasAccess("alice", "/", name, AccessKind.Configure));
    }

    [Fact]
    public void A_refusal_names_the_resource_the_virtual_host_and_the_user_as_RabbitMQ_does()
    {
        var users = new UserStore();
        users.PutUser("alice", "pw");
        users.SetPermission(new Permission("alice", "/", "", "", ""));

        var error = Assert.Throws<BrokerException>(() => users.CheckAccess("alice", "/", ResourceKind.Queue, "q1", AccessKind.Read));

        Assert.Equal(BrokerError.AccessRefused, error.Error);
        Assert.Equal("access to queue 'q1' in vhost '/' refused for user 'alice'", error.Message);
    }
}
