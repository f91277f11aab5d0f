using Warren.Amqp.Protocol;

namespace Warren.Amqp.Tests.Conversations;

public sealed class HeartbeatConversationTests
{
    [Fact]
    public async Task The_server_sends_heartbeats_when_idle_and_closes_a_silent_client_after_two_intervals()
    {
        await using var client = new PipeClient();
        await client.OpenAsync(heartbeat: 1);

        // The client now stays silent. Heartbeats come every half interval; after two intervals
        // without a byte from the client the server gives up and ends its output.
        var heartbeats = 0;
        while (await client.ReadFrameAsync() is { } frame)
        {
            Assert.Equal(AmqpConstants.FrameHeartbeat, frame.Type);
            Assert.Equal(0, frame.Channel);
            Assert.Empty(frame.Payload);
            heartbeats++;
        }

        Assert.True(heartbeats >= 1, $"expected heartbeats before the close, got {heartbeats}");
        await client.WaitForRunToEndAsync();
    }

    [Fact]
    public async Task Client_heartbeats_keep_the_connection_open()
    {
        await using var client = new PipeClient();
        await client.OpenAsync(heartbeat: 1);

        // Task.Delay paces the client's heartbeats here; it synchronises nothing.
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(3); elapsed += TimeSpan.FromMilliseconds(500))
        {
            await client.SendHeartbeatAsync();
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        Assert.False(client.Run.IsCompleted);
        // Still alive: a channel opens (ReadNonHeartbeat skips the server's own heartbeats).
        await client.OpenChannelAsync(1);
        Assert.False(client.Run.IsCompleted);
    }

    [Fact]
    public async Task With_heartbeat_zero_the_server_sends_no_heartbeats()
    {
        await using var client = new PipeClient();
        await client.OpenAsync(heartbeat: 0);

        await Assert.ThrowsAsync<TimeoutException>(() => client.ReadFrameAsync(TimeSpan.FromSeconds(1.5)));

        Assert.False(client.Run.IsCompleted);
    }

    [Fact]
    public async Task A_heartbeat_on_a_non_zero_channel_is_a_frame_error()
    {
        await using var client = new PipeClient();
        await client.OpenAsync();

        await client.SendBytesAsync([AmqpConstants.FrameHeartbeat, 0, 1, 0, 0, 0, 0, AmqpConstants.FrameEnd]);
        var close = await client.ExpectConnectionCloseAsync();

        Assert.Equal(501, close.ReplyCode);
    }
}
