using Warren.Messaging.Topology;
using Warren.Messaging.Transports;
using Warren.Messaging.Transports.Amqp;

namespace Warren.Messaging;

/// <summary>
/// Looks at and replays the error queue of a service (<c>&lt;service&gt;.error</c>) over any
/// transport, without running the service: <see cref="WarrenBus.PeekErrorsAsync"/>,
/// <see cref="WarrenBus.ReplayErrorsAsync"/> and the <c>warren errors</c> command use it.
/// Neither operation reorders the queue, and a replayed message leaves it only once its
/// republish is confirmed.
/// </summary>
public sealed class ErrorQueueAdmin : IAsyncDisposable
{
    private readonly ITransport _transport;
    private readonly bool _ownsTransport;

    /// <summary>Works on <paramref name="serviceName"/>'s error queue through a started <paramref name="transport"/>, which stays the caller's.</summary>
    public ErrorQueueAdmin(ITransport transport, string serviceName)
        : this(transport, serviceName, TopologyNames.Default, ownsTransport: false)
    {
    }

    /// <summary>The same, for a service of a system with a prefix (<see cref="Configuration.WarrenOptions.SystemPrefix"/>).</summary>
    public ErrorQueueAdmin(ITransport transport, string serviceName, TopologyNames names)
        : this(transport, serviceName, names, ownsTransport: false)
    {
    }

    private ErrorQueueAdmin(ITransport transport, string serviceName, TopologyNames names, bool ownsTransport)
    {
        _transport = transport;
        _ownsTransport = ownsTransport;
        ServiceName = serviceName;
        ErrorQueue = names.ErrorQueue(serviceName);
    }

    /// <summary>
    /// Connects to the AMQP broker at <paramref name="uri"/> (Warren or RabbitMQ) for
    /// <paramref name="serviceName"/>'s error queue; disposing the result disconnects. Fails with
    /// <see cref="BrokerUnreachableException"/> when the broker cannot be reached.
    /// </summary>
    public static Task<ErrorQueueAdmin> ConnectAsync(Uri uri, string serviceName, CancellationToken cancellationToken = default) =>
        ConnectAsync(uri, serviceName, TopologyNames.Default, cancellationToken);

    /// <summary>The same, for a service of a system with a prefix (<see cref="Configuration.WarrenOptions.SystemPrefix"/>).</summary>
    public static async Task<ErrorQueueAdmin> ConnectAsync(Uri uri, string serviceName, TopologyNames names, CancellationToken cancellationToken = default)
    {
        // A tool fails at once when the broker is down, rather than wait as a service does.
        var transport = new AmqpTransport(new AmqpTransportOptions { Uri = uri, StartupTimeout = TimeSpan.Zero }, serviceName + ".errors-admin");
        try
        {
            await transport.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new ErrorQueueAdmin(transport, serviceName, names, ownsTransport: true);
    }

    /// <summary>The service whose error queue this is.</summary>
    public string ServiceName { get; }

    /// <summary>The error queue's name.</summary>
    public string ErrorQueue { get; }

    /// <summary>
    /// Up to <paramref name="max"/> failed messages, oldest first, left in the queue at the same
    /// positions. Fails with <see cref="QueueNotFoundException"/> when the service has no error queue.
    /// </summary>
    public async Task<IReadOnlyList<FailedMessage>> PeekAsync(int max = 100, CancellationToken cancellationToken = default)
    {
        var peeked = await _transport.PeekAsync(ErrorQueue, max, cancellationToken).ConfigureAwait(false);
        var failed = new FailedMessage[peeked.Count];
        for (var i = 0; i < failed.Length; i++) failed[i] = FailedMessage.From(peeked[i].Message);
        return failed;
    }

    /// <summary>
    /// Republishes failed messages to the queues they failed in, without the error headers (so
    /// retries count afresh), and removes them from the error queue once the republish is
    /// confirmed. <paramref name="filter"/> picks which (all when null); the others keep their
    /// places. Stops after <paramref name="max"/> replays. A message that fails again while the
    /// pass runs stays for the next pass. Returns the messages replayed, in queue order.
    /// </summary>
    /// <remarks>
    /// The pass holds what it has looked at unacknowledged until it ends: if the process dies
    /// midway, the broker gives everything back, so a message may be replayed twice but is never lost.
    /// </remarks>
    public async Task<IReadOnlyList<FailedMessage>> ReplayAsync(Func<FailedMessage, bool>? filter = null, int max = 1000, CancellationToken cancellationToken = default)
    {
        var replayed = new List<FailedMessage>();
        var replayedIds = new HashSet<string>(StringComparer.Ordinal);
        var cursor = await _transport.BrowseAsync(ErrorQueue, cancellationToken).ConfigureAwait(false);
        await using (cursor.ConfigureAwait(false))
        {
            while (replayed.Count < max && await cursor.TakeAsync(cancellationToken).ConfigureAwait(false) is { } incoming)
            {
                var message = incoming.Message;
                var failed = FailedMessage.From(message);
                // Already replayed in this pass: it failed again and came back behind us.
                if (failed.Queue is null || (failed.MessageId is { } id && replayedIds.Contains(id)) || (filter is not null && !filter(failed))) continue;
                await _transport.PublishAsync("", failed.Queue, mandatory: true, WithoutErrorHeaders(message), cancellationToken).ConfigureAwait(false);
                await cursor.AcknowledgeAsync(incoming, cancellationToken).ConfigureAwait(false);
                if (failed.MessageId is not null) replayedIds.Add(failed.MessageId);
                replayed.Add(failed);
            }
        }
        return replayed;
    }

    private static TransportMessage WithoutErrorHeaders(TransportMessage message)
    {
        var copy = message.Clone();
        foreach (var key in message.Headers.Keys)
        {
            if (key.StartsWith(WarrenHeaders.ErrorPrefix, StringComparison.Ordinal) || key == WarrenHeaders.DelayedRetries || key == WarrenHeaders.Attempts) copy.Headers.Remove(key);
        }
        return copy;
    }

    /// <summary>Disconnects when <see cref="ConnectAsync(Uri, string, CancellationToken)"/> made the connection.</summary>
    public ValueTask DisposeAsync() => _ownsTransport ? _transport.DisposeAsync() : ValueTask.CompletedTask;
}
