using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests;

public abstract class ChannelTests(BrokerTarget target) : InteropTest(target)
{
    [Fact]
    public async Task A_channel_opens_and_closes()
    {
        var c = await ConnectionAsync();
        var ch = await c.CreateChannelAsync(cancellationToken: Ct);
        Assert.True(ch.IsOpen);

        await ch.CloseAsync(Ct);

        Assert.False(ch.IsOpen);
        Assert.True(c.IsOpen);
    }

    [Fact]
    public async Task A_soft_error_closes_only_the_channel()
    {
        var c = await ConnectionAsync();
        var failing = await c.CreateChannelAsync(cancellationToken: Ct);
        var bystander = await c.CreateChannelAsync(cancellationToken: Ct);
        var missing = NewName("missing");

        var ex = await Assert.ThrowsAsync<OperationInterruptedException>(() => failing.QueueDeclarePassiveAsync(missing, Ct));

        AssertClose(ex.ShutdownReason!, 404, $"NOT_FOUND - no queue '{missing}' in vhost '/'", 50, 10);
        Assert.Equal(ShutdownInitiator.Peer, ex.ShutdownReason!.Initiator);
        Assert.False(failing.IsOpen);
        Assert.True(c.IsOpen);
        // The other channel and a new one keep working.
        var q = await DeclareQueueAsync(bystander);
        await PublishAsync(bystander, "", q, "still here");
        var got = await bystander.BasicGetAsync(q, true, Ct);
        Assert.Equal("still here", Text(got!.Body));
        await using var fresh = await c.CreateChannelAsync(cancellationToken: Ct);
        Assert.Equal(0u, (await fresh.QueueDeclarePassiveAsync(q, Ct)).MessageCount);
    }

    [Fact]
    public async Task A_closed_channel_refuses_further_methods_on_the_client_side()
    {
        var ch = await OpenChannelAsync();
        await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(NewName("missing"), Ct));

        await Assert.ThrowsAsync<AlreadyClosedException>(() => ch.QueueDeclareAsync(cancellationToken: Ct));
    }
}

[Collection(WarrenCollection.Name)]
public sealed class ChannelTests_on_Warren(WarrenFixture f) : ChannelTests(f.Target);

public sealed class ChannelTests_on_RabbitMq(RabbitMqFixture f) : ChannelTests(f.Target);
