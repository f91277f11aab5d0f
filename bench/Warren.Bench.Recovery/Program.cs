using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Warren.Broker;
using Warren.Broker.Messages;
using Warren.Broker.Queues;

// Measures durable-queue recovery: fills a durable queue with N persistent messages of S bytes
// through the broker model (no network), closes the broker, then times a fresh broker's start.
// First, the heap a queued persistent message costs while it is held in memory (4,000 of 1 KiB,
// within a queue's in-memory budget), the figure that shows a body held once or twice.
// Usage: warren-bench-recovery [messages=1000000] [size=64] [folder]
var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
var size = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 64;
var folder = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"warren-recovery-{Guid.NewGuid():N}");
var options = new BrokerOptions { DataDirectory = folder };
var body = new byte[size];
var properties = new MessageProperties { DeliveryMode = 2 };

MeasureLoadedPersistentMessages();

var fill = Stopwatch.StartNew();
using (var broker = new Broker(options, NullLoggerFactory.Instance))
{
    var vhost = broker.VirtualHosts.First();
    vhost.DeclareQueue("backlog", new QueueSettings(Durable: true, Exclusive: false, AutoDelete: false, Arguments: null), passive: false, connection: null);
    for (var i = 0; i < count; i++) vhost.Publish("", new Message("", "backlog", properties, body));
}
fill.Stop();
var onDisk = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
var before = GC.GetTotalMemory(forceFullCollection: true);
var recover = Stopwatch.StartNew();
using (var broker = new Broker(options, NullLoggerFactory.Instance))
{
    recover.Stop();
    var queue = broker.VirtualHosts.First().GetQueue("backlog", connection: null);
    var after = GC.GetTotalMemory(forceFullCollection: true);
    Console.WriteLine($"messages: {queue.MessageCount:N0} x {size} B, written in {fill.Elapsed.TotalSeconds:F1} s, {onDisk / 1024.0 / 1024.0:F1} MiB on disk");
    Console.WriteLine($"recovery: {recover.Elapsed.TotalSeconds:F2} s ({count / recover.Elapsed.TotalSeconds:N0} msg/s)");
    Console.WriteLine($"managed heap per queued message after recovery: {(after - before) / (double)queue.MessageCount:F1} B");
    GC.KeepAlive(queue);
}
Directory.Delete(folder, recursive: true);

static void MeasureLoadedPersistentMessages()
{
    const int Count = 4000, Size = 1024;
    var folder = Path.Combine(Path.GetTempPath(), $"warren-loaded-{Guid.NewGuid():N}");
    var body = new byte[Size];
    var properties = new MessageProperties { DeliveryMode = 2 };
    using (var broker = new Broker(new BrokerOptions { DataDirectory = folder }, NullLoggerFactory.Instance))
    {
        var vhost = broker.VirtualHosts.First();
        vhost.DeclareQueue("loaded", new QueueSettings(Durable: true, Exclusive: false, AutoDelete: false, Arguments: null), passive: false, connection: null);
        // The first publish allocates the queue's first segment and buffers: not per message.
        vhost.Publish("", new Message("", "loaded", properties, new byte[Size]));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 1; i < Count; i++) vhost.Publish("", new Message("", "loaded", properties, new byte[Size]));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var queue = vhost.GetQueue("loaded", connection: null);
        Console.WriteLine($"managed heap per queued persistent message held in memory ({Size} B body): {(after - before) / (double)(Count - 1):F0} B");
        GC.KeepAlive(queue);
        GC.KeepAlive(body);
    }
    Directory.Delete(folder, recursive: true);
}
