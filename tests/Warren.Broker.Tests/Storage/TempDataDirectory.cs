using Xunit;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker.Tests.Storage;

/// <summary>A data folder of its own per test, deleted afterwards.</summary>
internal sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory() => System.IO.Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "warren-storage-tests", Guid.NewGuid().ToString("N"));

    public Broker Open() => new(new BrokerOptions { DataDirectory = Path }, NullLoggerFactory.Instance);

    /// <summary>The segment files (.msgs) of every durable queue.</summary>
    public string[] SegmentFiles() =>
        System.IO.Directory.Exists(QueuesPath) ? System.IO.Directory.GetFiles(QueuesPath, "*.msgs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray() : [];

    public string QueuesPath => System.IO.Path.Combine(Path, "queues");

    public string DefinitionsPath => System.IO.Path.Combine(Path, "definitions.json");

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a failed test: the temp folder is cleaned by the OS eventually.
        }
    }
}

internal static class StorageTestModel
{
    public static readonly QueueSettings DurableQueue = new(Durable: true, Exclusive: false, AutoDelete: false, Arguments: null);
    public static readonly QueueSettings TransientQueue = new(Durable: false, Exclusive: false, AutoDelete: false, Arguments: null);

    public static Message Persistent(string body, string routingKey = "q") =>
        new("", routingKey, new MessageProperties { DeliveryMode = 2 }, System.Text.Encoding.UTF8.GetBytes(body));

    public static Message Transient(string body, string routingKey = "q") =>
        new("", routingKey, new MessageProperties { DeliveryMode = 1 }, System.Text.Encoding.UTF8.GetBytes(body));

    public static VirtualHost Root(this Broker broker)
    {
        Assert.True(broker.TryGetVirtualHost("/", out var vhost));
        return vhost;
    }

    public static Queue Declare(this VirtualHost vhost, string name, QueueSettings settings, object? connection = null) =>
        vhost.DeclareQueue(name, settings, passive: false, connection).Queue;

    public static Queue Queue(this Broker broker, string name) => broker.Root().GetQueue(name, connection: null);

    public static string Text(this QueueEntry entry) => System.Text.Encoding.UTF8.GetString(entry.Message.Body);

    /// <summary>Takes every ready message with no-ack, in order.</summary>
    public static List<QueueEntry> TakeAll(this Queue queue)
    {
        var entries = new List<QueueEntry>();
        while (queue.TryGet(noAck: true, out var entry, out _)) entries.Add(entry);
        return entries;
    }
}
