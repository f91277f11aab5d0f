using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Security;

/// <summary>User limits (max-connections, max-channels) and vhost limits (max-connections, max-queues), with RabbitMQ's errors.</summary>
public abstract class UserAndVirtualHostLimitTests(BrokerTarget target) : SecurityTest(target)
{
    [Fact]
    public async Task A_user_past_its_connection_limit_is_refused_at_connection_open()
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");
        await Admin.SetUserLimitAsync(user, "max-connections", 1);
        await ConnectAsAsync(user);

        var reason = await ExpectConnectRefusedAsync(user);

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal($"NOT_ALLOWED - connection refused for user '{user}': user connection limit (1) is reached", reason.ReplyText);
    }

    [Fact]
    public async Task A_user_past_its_channel_limit_gets_a_connection_error()
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");
        await Admin.SetUserLimitAsync(user, "max-channels", 1);
        var connection = await ConnectAsAsync(user);
        var first = await connection.CreateChannelAsync(cancellationToken: Ct);

        var reason = await ExpectConnectionCloseAsync(connection, first, () => connection.CreateChannelAsync(cancellationToken: Ct));

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal($"NOT_ALLOWED - number of channels opened for user '{user}' has reached the maximum allowed user limit of (1)", reason.ReplyText);
    }

    [Fact]
    public async Task Closing_a_channel_frees_its_place_under_the_channel_limit()
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");
        await Admin.SetUserLimitAsync(user, "max-channels", 1);
        var connection = await ConnectAsAsync(user);
        var first = await connection.CreateChannelAsync(cancellationToken: Ct);
        await first.CloseAsync(Ct);

        var second = await connection.CreateChannelAsync(cancellationToken: Ct);

        Assert.True(second.IsOpen);
    }

    [Fact]
    public async Task A_virtual_host_past_its_connection_limit_refuses_connection_open()
    {
        var vhost = await NewVirtualHostAsync();
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, vhost, ".*", ".*", ".*");
        await Admin.SetVirtualHostLimitAsync(vhost, "max-connections", 1);
        await ConnectAsAsync(user, vhost);

        var reason = await ExpectConnectRefusedAsync(user, vhost);

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal($"NOT_ALLOWED - access to vhost '{vhost}' refused for user '{user}': connection limit (1) is reached", reason.ReplyText);
    }

    [Fact]
    public async Task A_virtual_host_past_its_queue_limit_refuses_queue_declare()
    {
        var vhost = await NewVirtualHostAsync();
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, vhost, ".*", ".*", ".*");
        await Admin.SetVirtualHostLimitAsync(vhost, "max-queues", 1);
        var ch = await (await ConnectAsAsync(user, vhost)).CreateChannelAsync(cancellationToken: Ct);
        await ch.QueueDeclareAsync("q1", false, false, false, cancellationToken: Ct);

        var reason = await ExpectChannelCloseAsync(ch, () => ch.QueueDeclareAsync("q2", false, false, false, cancellationToken: Ct));

        AssertClose(reason, 406, $"PRECONDITION_FAILED - cannot declare queue 'q2': queue limit in vhost '{vhost}' (1) is reached", 50, 10);
    }

    [Fact]
    public async Task Redeclaring_an_existing_queue_at_the_queue_limit_is_allowed()
    {
        var vhost = await NewVirtualHostAsync();
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, vhost, ".*", ".*", ".*");
        await Admin.SetVirtualHostLimitAsync(vhost, "max-queues", 1);
        var ch = await (await ConnectAsAsync(user, vhost)).CreateChannelAsync(cancellationToken: Ct);
        await ch.QueueDeclareAsync("q1", false, false, false, cancellationToken: Ct);

        var again = await ch.QueueDeclareAsync("q1", false, false, false, cancellationToken: Ct);

        Assert.Equal("q1", again.QueueName);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class UserAndVirtualHostLimitTests_on_Warren(WarrenFixture f) : UserAndVirtualHostLimitTests(f.Target);

public sealed class UserAndVirtualHostLimitTests_on_RabbitMq(RabbitMqFixture f) : UserAndVirtualHostLimitTests(f.Target);
