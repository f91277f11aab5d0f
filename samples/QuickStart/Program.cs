using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Warren.Server;

// Embedded: a whole broker on a free loopback port; disposing it stops it.
await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 });

var factory = new ConnectionFactory { Uri = server.AmqpUri };   // or amqp://guest:guest@127.0.0.1:5672/
await using var connection = await factory.CreateConnectionAsync();
await using var channel = await connection.CreateChannelAsync();

// An event: published to a topic exchange, every bound queue gets a copy.
await channel.ExchangeDeclareAsync("orders", ExchangeType.Topic, durable: true);
var queue = (await channel.QueueDeclareAsync("billing", durable: true, exclusive: false, autoDelete: false)).QueueName;
await channel.QueueBindAsync(queue, "orders", "orders.*");

var received = new TaskCompletionSource();
var consumer = new AsyncEventingBasicConsumer(channel);
consumer.ReceivedAsync += async (_, delivery) =>
{
    Console.WriteLine($"{delivery.RoutingKey}: {Encoding.UTF8.GetString(delivery.Body.Span)}");
    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    received.TrySetResult();
};
await channel.BasicConsumeAsync(queue, autoAck: false, consumer);

await channel.BasicPublishAsync("orders", "orders.placed", Encoding.UTF8.GetBytes("""{"id":42}"""));

// Deliveries arrive on the client's own thread: wait for the first before the program ends.
await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
