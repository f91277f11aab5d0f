using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Server;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>The README's 30-second example, as written there, must work.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task The_readme_example_publishes_an_event_that_its_consumer_receives()
    {
        var ct = TestContext.Current.CancellationToken;
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // From README.md: "30 seconds with RabbitMQ.Client".
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: ct);

        var factory = new ConnectionFactory { Uri = server.AmqpUri };
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);

        await channel.ExchangeDeclareAsync("orders", ExchangeType.Topic, durable: true, cancellationToken: ct);
        var queue = (await channel.QueueDeclareAsync("billing", durable: true, exclusive: false, autoDelete: false, cancellationToken: ct)).QueueName;
        await channel.QueueBindAsync(queue, "orders", "orders.*", cancellationToken: ct);

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.TrySetResult($"{delivery.RoutingKey}: {Encoding.UTF8.GetString(delivery.Body.Span)}");
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);

        await channel.BasicPublishAsync("orders", "orders.placed", Encoding.UTF8.GetBytes("""{"id":42}"""), ct);

        Assert.Equal("""orders.placed: {"id":42}""", await received.Task.WaitAsync(TimeSpan.FromSeconds(10), ct));
    }
}
