using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Parity;

/// <summary>Helpers shared by the RabbitMQ-extension cases (issue 6).</summary>
public abstract class ParityTest(BrokerTarget target) : InteropTest(target)
{
    /// <summary>Between two polls of a time-driven effect (TTL, x-expires); the deadline is <see cref="InteropTest.Timeout"/>.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    protected static Dictionary<string, object?> Args(params (string Key, object? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    /// <summary>Polls until the condition holds; fails the test at the deadline.</summary>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(PollInterval, Ct);
        }
    }

    /// <summary>Polls queue.declare-passive until the queue holds the given number of ready messages.</summary>
    protected static Task WaitForMessageCountAsync(IChannel ch, string queue, uint count) =>
        EventuallyAsync(async () => (await ch.QueueDeclarePassiveAsync(queue, Ct)).MessageCount == count,
            $"{count} message(s) in {queue}");

    /// <summary>
    /// Probes with mandatory publishes through the default exchange until one is returned (no queue by that name).
    /// Not with queue.declare-passive: on RabbitMQ a passive declare renews the x-expires lease, so polling with
    /// it keeps the queue alive.
    /// </summary>
    protected async Task WaitForQueueDeletedAsync(string queue)
    {
        var ch = await OpenChannelAsync();
        await EventuallyAsync(async () =>
        {
            try
            {
                await PublishAsync(ch, "", queue, "probe", mandatory: true);
                return false;
            }
            catch (PublishException e) when (e.IsReturn)
            {
                return true;
            }
        }, $"queue {queue} to be deleted");
    }

    /// <summary>A consumer with consume arguments (x-priority), buffering its deliveries.</summary>
    protected static async Task<Collector> ConsumeWithArgumentsAsync(IChannel ch, string queue,
        IDictionary<string, object?>? arguments, bool autoAck = false)
    {
        var collector = new Collector(ch);
        collector.Tag = await ch.BasicConsumeAsync(queue, autoAck, "", noLocal: false, exclusive: false, arguments, collector, Ct);
        return collector;
    }

    /// <summary>Gets every ready message with auto-ack, returning their bodies.</summary>
    protected static async Task<List<string>> DrainAsync(IChannel ch, string queue)
    {
        var bodies = new List<string>();
        while (await ch.BasicGetAsync(queue, true, Ct) is { } got)
            bodies.Add(Text(got.Body));
        return bodies;
    }

    /// <summary>A channel in confirm mode without the client's tracking: the test sees the raw basic.ack / basic.nack.</summary>
    protected async Task<(IChannel Channel, ConfirmLog Log)> OpenRawConfirmChannelAsync()
    {
        var ch = await (await ConnectionAsync()).CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), Ct);
        return (ch, new ConfirmLog(ch));
    }

    /// <summary>A header value as text: RabbitMQ.Client decodes longstr as bytes.</summary>
    protected static string? Str(object? value) => value switch
    {
        byte[] b => Encoding.UTF8.GetString(b),
        string s => s,
        null => null,
        _ => value.ToString(),
    };

    protected static IDictionary<string, object?> Headers(IReadOnlyBasicProperties p) =>
        p.Headers ?? new Dictionary<string, object?>();

    /// <summary>The x-death header: an array of tables.</summary>
    protected static List<IDictionary<string, object?>> XDeath(IReadOnlyBasicProperties p)
    {
        var deaths = Assert.IsType<List<object>>(Headers(p)["x-death"], exactMatch: false);
        return [.. deaths.Select(d => Assert.IsType<Dictionary<string, object?>>(d, exactMatch: false))];
    }

    protected static List<string?> Strings(object? array) =>
        [.. Assert.IsType<List<object>>(array, exactMatch: false).Select(Str)];
}

/// <summary>Every basic.ack, basic.nack and basic.return of one channel, in arrival order.</summary>
public sealed class ConfirmLog
{
    private readonly List<string> events = [];
    private readonly Lock gate = new();
    private readonly System.Threading.Channels.Channel<bool> changed = System.Threading.Channels.Channel.CreateUnbounded<bool>();

    public ConfirmLog(IChannel ch)
    {
        ch.BasicAcksAsync += (_, e) => Add($"ack {e.DeliveryTag}{(e.Multiple ? " multiple" : "")}");
        ch.BasicNacksAsync += (_, e) => Add($"nack {e.DeliveryTag}{(e.Multiple ? " multiple" : "")}");
        ch.BasicReturnAsync += (_, e) => Add($"return {e.ReplyCode} {e.ReplyText} {Encoding.UTF8.GetString(e.Body.Span)}");
    }

    private Task Add(string e)
    {
        lock (gate)
            events.Add(e);
        changed.Writer.TryWrite(true);
        return Task.CompletedTask;
    }

    public List<string> Events
    {
        get
        {
            lock (gate)
                return [.. events];
        }
    }

    /// <summary>
    /// The confirmed tags, sorted, each with "ack" or "nack". A "multiple" confirm covers every tag up to its own
    /// not confirmed yet: RabbitMQ confirms out of order (an unroutable message is acked at once, before a routed
    /// one published earlier, which a later "multiple" ack then covers).
    /// </summary>
    public List<(ulong Tag, bool Ack)> Confirmed() => [.. ConfirmedInArrivalOrder().OrderBy(c => c.Tag).Select(c => (c.Tag, c.Ack))];

    /// <summary>The index in <see cref="Events"/> of the confirm covering the tag, or -1.</summary>
    public int IndexOfConfirm(ulong tag)
    {
        foreach (var c in ConfirmedInArrivalOrder())
            if (c.Tag == tag)
                return c.Index;
        return -1;
    }

    private List<(ulong Tag, bool Ack, int Index)> ConfirmedInArrivalOrder()
    {
        var confirmed = new List<(ulong, bool, int)>();
        var seen = new HashSet<ulong>();
        var events = Events;
        for (var index = 0; index < events.Count; index++)
        {
            var parts = events[index].Split(' ');
            if (parts[0] == "return")
                continue;
            var tag = ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            var from = parts.Length > 2 ? 1 : tag;
            for (var t = from; t <= tag; t++)
                if (seen.Add(t))
                    confirmed.Add((t, parts[0] == "ack", index));
        }
        return confirmed;
    }

    /// <summary>Waits until every tag up to <paramref name="tag"/> is confirmed.</summary>
    public async Task WaitForAsync(ulong tag)
    {
        var deadline = DateTime.UtcNow + InteropTest.Timeout;
        while (Confirmed().Count < (int)tag)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"timed out waiting for the confirm of {tag}; got {string.Join(", ", Events)}");
            try
            {
                await changed.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(left);
            }
            catch (TimeoutException) { }
        }
    }
}
