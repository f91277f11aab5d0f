using Xunit;
using Warren.Broker.Exchanges;
using static Warren.Broker.Tests.Storage.StorageTestModel;

namespace Warren.Broker.Tests.Storage;

/// <summary>A queued persistent message holds its body once, not also its serialised form (issue 10, defect 12).</summary>
public sealed class StoredFormTests
{
    [Fact]
    public void A_queued_persistent_message_keeps_no_stored_copy_of_its_body()
    {
        using var data = new TempDataDirectory();
        using var broker = data.Open();
        var vhost = broker.Root();
        var queue = vhost.Declare("durable", DurableQueue);

        vhost.Publish("", Persistent("one", "durable"));

        Assert.True(queue.TryGet(noAck: false, out var entry, out _));
        Assert.Null(entry.Message.StoredForm);
    }

    [Fact]
    public void A_persistent_message_fanned_out_to_durable_queues_keeps_no_stored_copy_and_survives_a_restart_in_each()
    {
        using var data = new TempDataDirectory();
        using (var broker = data.Open())
        {
            var vhost = broker.Root();
            vhost.DeclareExchange("fan", ExchangeTypes.Fanout, new ExchangeSettings(Durable: true, AutoDelete: false, Internal: false, Arguments: null), passive: false);
            foreach (var name in (string[])["a", "b"])
            {
                vhost.Declare(name, DurableQueue);
                vhost.BindQueue(name, "fan", "", arguments: null, connection: null);
            }

            vhost.Publish("fan", Persistent("both"));

            foreach (var name in (string[])["a", "b"])
            {
                var queue = broker.Queue(name);
                Assert.True(queue.TryGet(noAck: false, out var entry, out _));
                Assert.Null(entry.Message.StoredForm);
                queue.Requeue([entry]);
            }
        }
        using (var broker = data.Open())
        {
            Assert.Equal(["both"], broker.Queue("a").TakeAll().Select(e => e.Text()));
            Assert.Equal(["both"], broker.Queue("b").TakeAll().Select(e => e.Text()));
        }
    }
}
