using Xunit;
using static Warren.Broker.Tests.Model.TestModel;

namespace Warren.Broker.Tests.Model;

/// <summary>
/// Routing reuses per-thread scratch state; each publish must start from a clean slate whatever
/// path the previous one took (issue 10, defect 1).
/// </summary>
public sealed class RoutingScratchTests
{
    private static Dictionary<string, object?> CcHeaders(string header, IEnumerable<string> keys) =>
        new() { [header] = keys.Select(k => (object?)System.Text.Encoding.UTF8.GetBytes(k)).ToList() };

    [Theory]
    [InlineData("CC")]
    [InlineData("BCC")]
    public void A_default_exchange_publish_to_many_queues_through_cc_leaves_later_publishes_exact(string header)
    {
        var vhost = NewVirtualHost();
        var queues = Enumerable.Range(0, 12).Select(i => vhost.DeclareQueue($"q{i}")).ToList();
        var names = queues.Select(q => q.Name).ToList();
        vhost.DeclareExchange("fan", "fanout");
        foreach (var name in names) vhost.Bind(name, "fan");
        // An exchange-to-exchange path that reaches every queue twice: directly and through "back".
        vhost.DeclareExchange("front", "fanout");
        vhost.DeclareExchange("back", "fanout");
        vhost.BindExchange("back", "front", "", null);
        foreach (var name in names)
        {
            vhost.Bind(name, "front");
            vhost.Bind(name, "back");
        }
        var cc = CcHeaders(header, names.Skip(1));

        // All on this thread, as one connection's publishes are.
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(12, vhost.Publish("", Message($"c{i}", "q0", headers: cc)).QueueCount);
            Assert.Equal(12, vhost.Publish("fan", Message($"f{i}")).QueueCount);
            Assert.Equal(12, vhost.Publish("", Message($"d{i}", "q0", headers: cc)).QueueCount);
            Assert.Equal(12, vhost.Publish("front", Message($"e{i}")).QueueCount);
        }

        var expected = Enumerable.Range(0, 10).SelectMany(i => new[] { $"c{i}", $"f{i}", $"d{i}", $"e{i}" });
        foreach (var queue in queues) Assert.Equal(expected, queue.Drain());
    }
}
