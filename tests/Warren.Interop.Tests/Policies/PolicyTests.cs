using System.Text.RegularExpressions;
using RabbitMQ.Client;
using Warren.Interop.Tests.Infrastructure;
using Warren.Interop.Tests.Parity;

namespace Warren.Interop.Tests.Policies;

/// <summary>Policies and operator policies: applied at once, shown on the queue, combined with queue arguments by RabbitMQ's rules.</summary>
public abstract class PolicyTests(BrokerTarget target) : ParityTest(target)
{
    private readonly List<(string Name, bool Operator)> policies = [];

    private IBrokerAdmin Admin => Target.Admin;

    private async Task<string> PolicyAsync(string entity, Dictionary<string, object> definition, int priority = 0, string applyTo = "queues", bool operatorPolicy = false)
    {
        var name = NewName("policy");
        await Admin.SetPolicyAsync("/", name, $"^{Regex.Escape(entity)}$", applyTo, priority, definition, operatorPolicy);
        policies.Add((name, operatorPolicy));
        return name;
    }

    /// <summary>RabbitMQ applies a policy to its queues shortly after the API call returns: wait for what the queue shows.</summary>
    private async Task<(string? Policy, string? OperatorPolicy, string Effective)> QueuePolicyAsync(string queue, string? expectedPolicy)
    {
        (string? Policy, string? OperatorPolicy, string Effective) shown = default;
        await EventuallyAsync(async () => (shown = await Admin.GetQueuePolicyAsync("/", queue)).Policy == expectedPolicy, $"policy {expectedPolicy} on {queue}");
        return shown;
    }

    public override async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (Target.Uri is not null)
        {
            foreach (var (name, isOperator) in policies) await Admin.DeletePolicyAsync("/", name, isOperator);
        }
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_queue_shows_its_policy_and_effective_definition()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var policy = await PolicyAsync(q, new() { ["max-length"] = 5, ["message-ttl"] = 60000 });

        var shown = await QueuePolicyAsync(q, policy);
        Assert.Equal((policy, (string?)null, """{"max-length":5,"message-ttl":60000}"""), shown);
    }

    [Fact]
    public async Task A_policy_applies_at_once_to_an_existing_queue()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PolicyAsync(q, new() { ["max-length"] = 2 });
        for (var i = 1; i <= 4; i++) await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(["m3", "m4"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task For_length_limits_the_smaller_of_argument_and_policy_wins()
    {
        var ch = await OpenChannelAsync();
        var small = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 1)));
        var large = await DeclareQueueAsync(ch, arguments: Args(("x-max-length", 10)));
        await PolicyAsync(small, new() { ["max-length"] = 3 });
        await PolicyAsync(large, new() { ["max-length"] = 2 });

        for (var i = 1; i <= 4; i++)
        {
            await PublishAsync(ch, "", small, $"m{i}");
            await PublishAsync(ch, "", large, $"m{i}");
        }

        Assert.Equal(["m4"], await DrainAsync(ch, small));
        Assert.Equal(["m3", "m4"], await DrainAsync(ch, large));
    }

    [Fact]
    public async Task For_dead_lettering_the_queue_argument_wins_over_the_policy()
    {
        var ch = await OpenChannelAsync();
        var fromArgument = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var fromPolicy = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var argumentSink = await DeclareQueueAsync(ch);
        var policySink = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(argumentSink, fromArgument, "", cancellationToken: Ct);
        await ch.QueueBindAsync(policySink, fromPolicy, "", cancellationToken: Ct);
        var q = await DeclareQueueAsync(ch, arguments: Args(("x-dead-letter-exchange", fromArgument)));
        await PolicyAsync(q, new() { ["dead-letter-exchange"] = fromPolicy });
        await PublishAsync(ch, "", q, "m");

        var got = await ch.BasicGetAsync(q, false, Ct);
        await ch.BasicRejectAsync(got!.DeliveryTag, false, Ct);

        await WaitForMessageCountAsync(ch, argumentSink, 1);
        Assert.Equal(0u, (await ch.QueueDeclarePassiveAsync(policySink, Ct)).MessageCount);
    }

    [Fact]
    public async Task Of_two_matching_policies_the_higher_priority_applies()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        await PolicyAsync(q, new() { ["max-length"] = 1 }, priority: 1);
        var winner = await PolicyAsync(q, new() { ["max-length"] = 3 }, priority: 5);

        var shown = await QueuePolicyAsync(q, winner);
        Assert.Equal(winner, shown.Policy);
        Assert.Equal("""{"max-length":3}""", shown.Effective);
    }

    [Fact]
    public async Task An_operator_policy_lowers_a_policys_limit()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);

        var policy = await PolicyAsync(q, new() { ["max-length"] = 5, ["message-ttl"] = 60000 });
        var op = await PolicyAsync(q, new() { ["max-length"] = 3 }, operatorPolicy: true);

        await EventuallyAsync(async () => (await Admin.GetQueuePolicyAsync("/", q)).OperatorPolicy == op, "the operator policy");
        Assert.Equal((policy, op, """{"max-length":3,"message-ttl":60000}"""), await QueuePolicyAsync(q, policy));
        for (var i = 1; i <= 5; i++) await PublishAsync(ch, "", q, $"m{i}");
        Assert.Equal(["m3", "m4", "m5"], await DrainAsync(ch, q));
    }

    [Fact]
    public async Task Deleting_a_policy_gives_the_queue_back_its_declared_behaviour()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        var policy = await PolicyAsync(q, new() { ["max-length"] = 1 });

        await Admin.DeletePolicyAsync("/", policy);
        for (var i = 1; i <= 3; i++) await PublishAsync(ch, "", q, $"m{i}");

        Assert.Equal(3u, (await ch.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
        Assert.Equal(((string?)null, (string?)null, "{}"), await QueuePolicyAsync(q, null));
    }

    [Fact]
    public async Task A_message_ttl_policy_expires_messages()
    {
        var ch = await OpenChannelAsync();
        var q = await DeclareQueueAsync(ch);
        await PolicyAsync(q, new() { ["message-ttl"] = 50 });

        await PublishAsync(ch, "", q, "m");

        await WaitForMessageCountAsync(ch, q, 0);
    }

    [Fact]
    public async Task An_alternate_exchange_policy_catches_unroutable_messages()
    {
        var ch = await OpenChannelAsync();
        var x = await DeclareExchangeAsync(ch, ExchangeType.Direct);
        var alternate = await DeclareExchangeAsync(ch, ExchangeType.Fanout);
        var sink = await DeclareQueueAsync(ch);
        await ch.QueueBindAsync(sink, alternate, "", cancellationToken: Ct);

        await PolicyAsync(x, new() { ["alternate-exchange"] = alternate }, applyTo: "exchanges");
        await PublishAsync(ch, x, "nowhere", "m");

        await WaitForMessageCountAsync(ch, sink, 1);
    }
}

[Collection(WarrenCollection.Name)]
public sealed class PolicyTests_on_Warren(WarrenFixture f) : PolicyTests(f.Target);

public sealed class PolicyTests_on_RabbitMq(RabbitMqFixture f) : PolicyTests(f.Target);
