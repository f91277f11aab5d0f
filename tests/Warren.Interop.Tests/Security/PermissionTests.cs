using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Security;

/// <summary>Configure/write/read permissions and topic permissions over AMQP, with RabbitMQ's 403 texts.</summary>
public abstract class PermissionTests(BrokerTarget target) : SecurityTest(target)
{
    private static string Refused(string kind, string name, string user, string vhost = "/") =>
        $"ACCESS_REFUSED - access to {kind} '{name}' in vhost '{vhost}' refused for user '{user}'";

    /// <summary>A user with the given permissions in "/", connected, with a channel.</summary>
    private async Task<(string User, IChannel Channel)> LoggedInAsync(string configure, string write, string read)
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", configure, write, read);
        var connection = await ConnectAsAsync(user);
        return (user, await connection.CreateChannelAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task A_user_without_permissions_in_a_virtual_host_cannot_open_it()
    {
        var user = await NewUserAsync();

        var reason = await ExpectConnectRefusedAsync(user);

        Assert.Equal(530, reason.ReplyCode);
        Assert.Equal($"NOT_ALLOWED - access to vhost '/' refused for user '{user}'", reason.ReplyText);
    }

    [Fact]
    public async Task Declaring_a_queue_needs_configure_on_its_name()
    {
        var (user, ch) = await LoggedInAsync("^app\\.", ".*", ".*");
        var allowed = "app." + NewName("q");
        await DeclareQueueAsync(ch, allowed);
        var refused = NewName("q");

        var reason = await ExpectChannelCloseAsync(ch, () => ch.QueueDeclareAsync(refused, false, false, false, cancellationToken: Ct));

        AssertClose(reason, 403, Refused("queue", refused, user), 50, 10);
    }

    [Fact]
    public async Task A_server_named_queue_is_checked_under_its_generated_amq_gen_name()
    {
        var (user, ch) = await LoggedInAsync("^app\\.", ".*", ".*");

        var reason = await ExpectChannelCloseAsync(ch, () => ch.QueueDeclareAsync("", false, true, true, cancellationToken: Ct));

        Assert.Equal(403, reason.ReplyCode);
        Assert.StartsWith("ACCESS_REFUSED - access to queue 'amq.gen-", reason.ReplyText, StringComparison.Ordinal);
        Assert.EndsWith($"' in vhost '/' refused for user '{user}'", reason.ReplyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_named_queue_is_allowed_by_a_pattern_for_amq_gen()
    {
        var (_, ch) = await LoggedInAsync("^amq\\.gen-", "", "");

        var ok = await ch.QueueDeclareAsync("", false, true, true, cancellationToken: Ct);

        Assert.StartsWith("amq.gen-", ok.QueueName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_passive_declare_needs_no_permission()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var x = await DeclareExchangeAsync(admin, ExchangeType.Fanout);
        var (_, ch) = await LoggedInAsync("", "", "");

        await ch.QueueDeclarePassiveAsync(q, Ct);
        await ch.ExchangeDeclarePassiveAsync(x, Ct);
    }

    [Fact]
    public async Task Deleting_a_queue_needs_configure_and_purging_it_needs_read()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var (user, ch) = await LoggedInAsync("", ".*", "");

        var purge = await ExpectChannelCloseAsync(ch, () => ch.QueuePurgeAsync(q, Ct));
        AssertClose(purge, 403, Refused("queue", q, user), 50, 30);

        var (user2, ch2) = await LoggedInAsync("", ".*", "");
        var delete = await ExpectChannelCloseAsync(ch2, () => ch2.QueueDeleteAsync(q, cancellationToken: Ct));
        AssertClose(delete, 403, Refused("queue", q, user2), 50, 40);
    }

    [Fact]
    public async Task Declaring_and_deleting_an_exchange_need_configure()
    {
        var (user, ch) = await LoggedInAsync("^app\\.", "", "");
        var refused = NewName("x");

        var reason = await ExpectChannelCloseAsync(ch, () => ch.ExchangeDeclareAsync(refused, ExchangeType.Direct, cancellationToken: Ct));

        AssertClose(reason, 403, Refused("exchange", refused, user), 40, 10);
    }

    [Fact]
    public async Task Publishing_to_the_default_exchange_needs_write_on_amq_default()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var (user, ch) = await LoggedInAsync(".*", "^app\\.", ".*");

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, "", q, "m"));

        AssertClose(reason, 403, Refused("exchange", "amq.default", user), 60, 40);
    }

    [Fact]
    public async Task Publishing_needs_write_on_the_exchange()
    {
        var (user, ch) = await LoggedInAsync("", "^amq\\.default$", "");

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, "amq.fanout", "k", "m"));

        AssertClose(reason, 403, Refused("exchange", "amq.fanout", user), 60, 40);
    }

    [Fact]
    public async Task Consuming_and_getting_need_read_on_the_queue()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var (user, ch) = await LoggedInAsync("", ".*", "^app\\.");

        var get = await ExpectChannelCloseAsync(ch, () => ch.BasicGetAsync(q, true, Ct));
        AssertClose(get, 403, Refused("queue", q, user), 60, 70);

        var (user2, ch2) = await LoggedInAsync("", ".*", "^app\\.");
        var consume = await ExpectChannelCloseAsync(ch2, () => ch2.BasicConsumeAsync(q, true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(ch2), Ct));
        AssertClose(consume, 403, Refused("queue", q, user2), 60, 20);
    }

    [Fact]
    public async Task Binding_a_queue_needs_write_on_the_queue_and_read_on_the_exchange()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var (user, ch) = await LoggedInAsync("", "^nothing$", ".*");

        var noWrite = await ExpectChannelCloseAsync(ch, () => ch.QueueBindAsync(q, "amq.direct", "k", cancellationToken: Ct));
        AssertClose(noWrite, 403, Refused("queue", q, user), 50, 20);

        var (user2, ch2) = await LoggedInAsync("", ".*", "^nothing$");
        var noRead = await ExpectChannelCloseAsync(ch2, () => ch2.QueueBindAsync(q, "amq.direct", "k", cancellationToken: Ct));
        AssertClose(noRead, 403, Refused("exchange", "amq.direct", user2), 50, 20);
    }

    [Fact]
    public async Task Binding_an_exchange_needs_write_on_the_destination_and_read_on_the_source()
    {
        var admin = await OpenChannelAsync();
        var destination = await DeclareExchangeAsync(admin, ExchangeType.Fanout);
        var (user, ch) = await LoggedInAsync("", ".*", "^nothing$");

        var reason = await ExpectChannelCloseAsync(ch, () => ch.ExchangeBindAsync(destination, "amq.fanout", "", cancellationToken: Ct));

        AssertClose(reason, 403, Refused("exchange", "amq.fanout", user), 40, 30);
    }

    [Fact]
    public async Task Allowed_operations_work_end_to_end()
    {
        var (_, ch) = await LoggedInAsync("^app\\.", "^(app\\..*|amq\\.default)$", "^app\\.");
        var q = "app." + NewName("q");
        var x = "app." + NewName("x");
        await DeclareQueueAsync(ch, q);
        await DeclareExchangeAsync(ch, ExchangeType.Direct, x);
        await ch.QueueBindAsync(q, x, "k", cancellationToken: Ct);

        await PublishAsync(ch, x, "k", "via exchange");
        await PublishAsync(ch, "", q, "via default");

        var first = await ch.BasicGetAsync(q, true, Ct);
        var second = await ch.BasicGetAsync(q, true, Ct);
        Assert.Equal(["via exchange", "via default"], [Text(first!.Body), Text(second!.Body)]);
    }

    [Fact]
    public async Task Topic_permissions_limit_the_routing_keys_a_user_publishes_with()
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");
        await Admin.SetTopicPermissionsAsync(user, "/", "amq.topic", "^orders\\.", ".*");
        var ch = await (await ConnectAsAsync(user)).CreateChannelAsync(cancellationToken: Ct);
        await PublishAsync(ch, "amq.topic", "orders.new", "allowed");
        await ch.BasicQosAsync(0, 0, false, Ct);

        var reason = await ExpectChannelCloseAsync(ch, () => PublishAsync(ch, "amq.topic", "billing.new", "refused"));

        AssertClose(reason, 403, $"ACCESS_REFUSED - access to topic 'billing.new' in exchange 'amq.topic' in vhost '/' refused for user '{user}'", 60, 40);
    }

    [Fact]
    public async Task Topic_permissions_limit_the_keys_a_user_binds_with()
    {
        var admin = await OpenChannelAsync();
        var q = await DeclareQueueAsync(admin);
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");
        await Admin.SetTopicPermissionsAsync(user, "/", "amq.topic", ".*", "^orders\\.");
        var ch = await (await ConnectAsAsync(user)).CreateChannelAsync(cancellationToken: Ct);
        await ch.QueueBindAsync(q, "amq.topic", "orders.#", cancellationToken: Ct);

        var reason = await ExpectChannelCloseAsync(ch, () => ch.QueueBindAsync(q, "amq.topic", "billing.#", cancellationToken: Ct));

        AssertClose(reason, 403, $"ACCESS_REFUSED - access to topic 'billing.#' in exchange 'amq.topic' in vhost '/' refused for user '{user}'", 50, 20);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_access_refused()
    {
        var user = await NewUserAsync();
        await Admin.SetPermissionsAsync(user, "/", ".*", ".*", ".*");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(f =>
        {
            f.UserName = user;
            f.Password = "wrong";
        }));

        var chain = new List<Exception>();
        for (Exception? e = error; e is not null; e = e.InnerException) chain.Add(e);
        Assert.Contains(chain, e => e is AuthenticationFailureException);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class PermissionTests_on_Warren(WarrenFixture f) : PermissionTests(f.Target);

public sealed class PermissionTests_on_RabbitMq(RabbitMqFixture f) : PermissionTests(f.Target);
