using System.Text;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using Warren.Messaging.Tests.Infrastructure;
using Warren.Server;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>Message size over AMQP, and the start-up warning about names taken from .NET types.</summary>
public sealed class MessageLimitsTests
{
    [Fact]
    public async Task A_message_the_broker_accepts_above_the_amqp_clients_64_mib_default_is_received_and_handled()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });
        var name = "large-" + Guid.NewGuid().ToString("N")[..8];
        await using var service = await TestService.StartAsync(new InProcessUnderTest(), name, o =>
        {
            o.UseAmqp(server.AmqpUri);
            o.AddHandler<OrderPlacedHandler>();
        });
        // 65 MiB of valid JSON (the padding property is ignored), published by a plain client.
        var padding = 65 * 1024 * 1024;
        var prefix = Encoding.UTF8.GetBytes($$"""{"orderId":"{{name}}","amount":1,"padding":" """.TrimEnd());
        var body = new byte[prefix.Length + padding + 2];
        prefix.CopyTo(body, 0);
        body.AsSpan(prefix.Length, padding).Fill((byte)'x');
        body[^2] = (byte)'"';
        body[^1] = (byte)'}';
        var factory = new ConnectionFactory { Uri = server.AmqpUri };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { Type = "test.orders.placed", ContentType = "application/json", MessageId = name };
            await channel.BasicPublishAsync("warren.events", "test.orders.placed", mandatory: true, properties, body);
        }

        await service.Recorder.WaitForHandledAsync<OrderPlaced>(o => o.OrderId == name, TimeSpan.FromSeconds(60));
        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task At_start_one_warning_lists_the_message_types_named_after_their_dotnet_type()
    {
        var logs = new LogCollector();
        await using var service = await TestService.StartAsync(new InProcessUnderTest(), "naming-" + Guid.NewGuid().ToString("N")[..8], o =>
        {
            o.AddHandler<UnnamedEventHandler>();
            o.AddHandler<OrderPlacedHandler>();
        }, logs: logs);

        var warning = Assert.Single(logs.MessagesAtOrAbove(LogLevel.Warning));
        Assert.Contains("Warren.Messaging.Tests.UnnamedEvent ('unnamed-event')", warning);
        Assert.DoesNotContain("OrderPlaced", warning);
        Assert.Contains("[Message(", warning);
    }
}
