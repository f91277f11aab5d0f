using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Messaging.Topology;
using Warren.Messaging.Transports.InProcess;

namespace Warren.Messaging.Transports.Amqp;

/// <summary>
/// AMQP 0-9-1 over RabbitMQ.Client 7: to a Warren server or a RabbitMQ node or cluster.
/// One connection per bus; one publishing channel with publisher confirms (concurrent publishes
/// share its confirm stream); one channel per consuming endpoint with its own prefetch and
/// dispatch concurrency. RabbitMQ.Client's automatic recovery reconnects and re-declares the
/// exchanges, queues, bindings and consumers declared through this connection.
/// <para>
/// Automatic recovery brings channels back only after a <em>connection</em> failure. A channel
/// the broker closes while the connection stays up (404 publishing to a deleted exchange, 406 on
/// a queue declared with other arguments, 404 fetching from a missing queue) is replaced here:
/// the operation that caused the error fails with <see cref="MessageUnroutableException"/> or
/// <see cref="BrokerRefusedException"/> carrying the broker's reply text, and the next operation
/// runs on a new channel, opened once however many publishers saw the close. Publishes in flight
/// on the closed channel lose their confirms; each is published once more on the new channel
/// (at-least-once: one may arrive twice). A consumer whose queue is deleted (basic.cancel) or
/// whose channel is closed re-attaches when the queue exists again (<see cref="AmqpSubscription"/>).
/// </para>
/// </summary>
public sealed class AmqpTransport : ITransport
{
    private readonly AmqpTransportOptions _options;
    private readonly string _serviceName;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _topologyLock = new(1, 1);
    private readonly SemaphoreSlim _replacing = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _retryQueues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<AmqpSubscription, byte> _subscriptions = new();
    private IConnection? _connection;
    private volatile IChannel? _publisher;
    private volatile IChannel? _topology;

    /// <summary>Creates the transport; <see cref="StartAsync"/> connects.</summary>
    public AmqpTransport(AmqpTransportOptions options, string serviceName, IServiceProvider? services = null)
    {
        _options = options;
        _serviceName = serviceName;
        _logger = services?.GetService<ILoggerFactory>()?.CreateLogger<AmqpTransport>() ?? NullLogger<AmqpTransport>.Instance;
    }

    /// <inheritdoc />
    public string Name => "amqp";

    /// <summary>Raised after each failed start attempt (with its number), before the wait; for tests and diagnostics.</summary>
    internal event Action<int>? StartupRetried;

    /// <inheritdoc />
    public bool IsConnected => _connection?.IsOpen == true;

    /// <inheritdoc />
    public bool SupportsDelayedDelivery => _options.BrokerSupportsDeadLettering;

    /// <inheritdoc />
    public bool ConsumersAttached
    {
        get
        {
            foreach (var subscription in _subscriptions.Keys)
            {
                if (!subscription.IsAttached) return false;
            }
            return true;
        }
    }

    /// <inheritdoc />
    public event Action<ConnectionLostException>? ConnectionLost;

    // "CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'" (320) from the
    // broker; the client's own text ("End of stream") when the socket closed without a close.
    private static string Describe(ShutdownEventArgs args) => args.Initiator == ShutdownInitiator.Peer && args.ReplyCode != 0
        ? $"{args.ReplyCode} {args.ReplyText}"
        : args.Exception?.Message ?? args.ReplyText;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = _options.Uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = _options.ReconnectInterval,
            ClientProvidedName = "warren:" + _serviceName,
            // A message larger than this closes the connection (and, redelivered, every new one):
            // as large as the bus sends, which matches the broker's limit.
            MaxInboundMessageBodySize = (uint)_options.MaxInboundMessageSize,
        };
        var deadline = DateTime.UtcNow + _options.StartupTimeout;
        var wait = _options.StartupRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException e)
            {
                // The client's own message ("None of the specified endpoints were reachable") hides the reason one level down.
                var reason = e.InnerException?.Message ?? e.Message;
                if (DateTime.UtcNow + wait > deadline)
                {
                    throw new BrokerUnreachableException($"Could not connect to the broker at {factory.Endpoint.HostName}:{factory.Endpoint.Port}" +
                        (attempt > 1 ? $" in {attempt} attempts over {_options.StartupTimeout.TotalSeconds:0.#} s" : "") + $": {reason}", e);
                }
                _logger.LogWarning("The broker at {Host}:{Port} is not reachable yet ({Reason}); attempt {Attempt}, trying again in {Delay}",
                    factory.Endpoint.HostName, factory.Endpoint.Port, reason, attempt, wait);
                StartupRetried?.Invoke(attempt);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, Math.Max(_options.ReconnectInterval.Ticks, _options.StartupRetryDelay.Ticks)));
            }
        }
        _connection.ConnectionShutdownAsync += (_, args) =>
        {
            if (args.Initiator == ShutdownInitiator.Application) return Task.CompletedTask;
            _logger.LogWarning("AMQP connection lost: {Reason}; recovering", Describe(args));
            ConnectionLost?.Invoke(new ConnectionLostException(
                $"The connection to the broker at {_options.Uri.Host}:{_options.Uri.Port} was lost ({Describe(args)}).", args.Exception));
            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            _logger.LogInformation("AMQP connection recovered; topology and consumers re-declared");
            return Task.CompletedTask;
        };
        _publisher = await OpenChannelAsync(publisher: true, cancellationToken).ConfigureAwait(false);
        _topology = await OpenChannelAsync(publisher: false, cancellationToken).ConfigureAwait(false);
    }

    private IConnection Connection => _connection ?? throw new InvalidOperationException("The AMQP transport is not started.");

    internal TimeSpan ReconnectInterval => _options.ReconnectInterval;

    private Task<IChannel> OpenChannelAsync(bool publisher, CancellationToken cancellationToken) => publisher
        ? Connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: _options.PublisherConfirms, publisherConfirmationTrackingEnabled: _options.PublisherConfirms),
            cancellationToken)
        : Connection.CreateChannelAsync(cancellationToken: cancellationToken);

    internal Task<IChannel> OpenConsumerChannelAsync(ConsumerSettings settings, CancellationToken cancellationToken) => Connection.CreateChannelAsync(
        new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
            consumerDispatchConcurrency: (ushort)Math.Clamp(settings.Concurrency, 1, ushort.MaxValue)),
        cancellationToken);

    /// <summary>
    /// A channel-level close (AMQP soft error) sent by the broker. Connection-level closes (320,
    /// 5xx) and closes the library starts are not: automatic recovery handles those.
    /// </summary>
    internal static bool IsChannelError(ShutdownEventArgs? reason) =>
        reason is { Initiator: ShutdownInitiator.Peer, ReplyCode: 311 or 312 or 313 or 403 or 404 or 405 or 406 };

    // Closed by a channel error while the connection is up: automatic recovery will not bring it back.
    private bool IsClosedByBroker(IChannel channel) => _connection?.IsOpen == true && IsChannelError(channel.CloseReason);

    private async ValueTask<IChannel> UsableChannelAsync(bool publisher, CancellationToken cancellationToken)
    {
        var channel = (publisher ? _publisher : _topology) ?? throw new InvalidOperationException("The AMQP transport is not started.");
        return IsClosedByBroker(channel) ? await ReplaceAsync(channel, publisher, cancellationToken).ConfigureAwait(false) : channel;
    }

    // Many publishers see one close at once: the first replaces the channel, the rest find the replacement.
    private async Task<IChannel> ReplaceAsync(IChannel dead, bool publisher, CancellationToken cancellationToken)
    {
        await _replacing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = (publisher ? _publisher : _topology)!;
            if (!ReferenceEquals(current, dead) || !IsClosedByBroker(current)) return current;
            var replacement = await OpenChannelAsync(publisher, cancellationToken).ConfigureAwait(false);
            if (publisher) _publisher = replacement;
            else _topology = replacement;
            _logger.LogWarning("The broker closed the AMQP {Role} channel ({Reason}); continuing on a new channel",
                publisher ? "publishing" : "topology", dead.CloseReason?.ReplyText);
            await DiscardAsync(dead, _logger).ConfigureAwait(false);
            return replacement;
        }
        finally
        {
            _replacing.Release();
        }
    }

    /// <summary>Closes a channel the broker already closed, so that connection recovery forgets it and its consumers.</summary>
    internal static async Task DiscardAsync(IChannel channel, ILogger logger)
    {
        try
        {
            await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            logger.LogDebug(e, "Closing a dead AMQP channel failed");
        }
        channel.Dispose();
    }

    private static BrokerRefusedException Refused(string operation, OperationInterruptedException e) =>
        new(operation, e.ShutdownReason!.ReplyCode, e.ShutdownReason.ReplyText, e);

    /// <inheritdoc />
    public async Task DeclareAsync(TopologyPlan plan, CancellationToken cancellationToken)
    {
        await _topologyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        var operation = "";
        try
        {
            var topology = await UsableChannelAsync(publisher: false, cancellationToken).ConfigureAwait(false);
            foreach (var exchange in plan.Exchanges)
            {
                operation = $"Declaring exchange '{exchange.Name}'";
                await topology.ExchangeDeclareAsync(exchange.Name, exchange.Type, exchange.Durable, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            foreach (var queue in plan.Queues)
            {
                var arguments = queue.Arguments is null ? new Dictionary<string, object?>() : new Dictionary<string, object?>(queue.Arguments);
                // Quorum queues are durable, never exclusive or auto-delete: the others keep the broker's default type.
                if (_options.QueueType is not null && queue.Durable && !queue.Exclusive && !queue.AutoDelete) arguments["x-queue-type"] = _options.QueueType;
                operation = $"Declaring queue '{queue.Name}'";
                await topology.QueueDeclareAsync(queue.Name, queue.Durable, queue.Exclusive, queue.AutoDelete, arguments.Count == 0 ? null : arguments,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            foreach (var binding in plan.Bindings)
            {
                operation = $"Binding queue '{binding.Queue}' to exchange '{binding.Exchange}'";
                await topology.QueueBindAsync(binding.Queue, binding.Exchange, binding.RoutingKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationInterruptedException e) when (IsChannelError(e.ShutdownReason))
        {
            throw Refused(operation, e);
        }
        finally
        {
            _topologyLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task PublishAsync(string exchange, string routingKey, bool mandatory, TransportMessage message, CancellationToken cancellationToken)
    {
        var properties = ToProperties(message);
        var deadline = DateTime.UtcNow + _options.PublishOutageTimeout;
        var republished = false;
        while (true)
        {
            var publisher = await UsableChannelAsync(publisher: true, cancellationToken).ConfigureAwait(false);
            try
            {
                await publisher.BasicPublishAsync(exchange, routingKey, mandatory, properties, message.Body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PublishReturnException returned)
            {
                throw new MessageUnroutableException(exchange, routingKey,
                    $"{returned.ReplyText}: no queue is bound to exchange '{exchange}' with routing key '{routingKey}'.");
            }
            catch (OperationInterruptedException e) when (IsChannelError(e.ShutdownReason) && _connection?.IsOpen == true)
            {
                // The broker closed the publishing channel, for this publish or for another one
                // in flight on it. RabbitMQ: "NOT_FOUND - no exchange 'x' in vhost '/'".
                var reason = e.ShutdownReason!;
                if (reason.ReplyCode == 404 && reason.ReplyText.Contains($"exchange '{exchange}'", StringComparison.Ordinal))
                {
                    throw new MessageUnroutableException(exchange, routingKey, reason.ReplyText);
                }
                // Its confirm was lost with the channel: publish once more on the new one.
                if (republished) throw Refused($"Publishing to exchange '{exchange}' with routing key '{routingKey}'", e);
                republished = true;
                _logger.LogDebug(e, "The publishing channel closed under a publish to {Exchange}; publishing it again on a new channel", exchange);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException && !cancellationToken.IsCancellationRequested)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new BrokerUnreachableException($"Could not publish to '{exchange}' / '{routingKey}': the broker at {_options.Uri.Host}:{_options.Uri.Port} stayed unreachable for {_options.PublishOutageTimeout.TotalSeconds:0.#} s.", e);
                }
                _logger.LogDebug(e, "Publish failed during an outage; waiting for recovery");
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable> ConsumeAsync(string queue, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        var subscription = new AmqpSubscription(this, queue, settings, handler, _logger);
        try
        {
            await subscription.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (IsChannelError(e.ShutdownReason))
        {
            throw Refused($"Consuming queue '{queue}'", e);
        }
        _subscriptions.TryAdd(subscription, 0);
        return subscription;
    }

    internal void Forget(AmqpSubscription subscription) => _subscriptions.TryRemove(subscription, out _);

    /// <inheritdoc />
    public async Task<IQueueCursor> BrowseAsync(string queue, CancellationToken cancellationToken)
    {
        var connection = _connection ?? throw new InvalidOperationException("The AMQP transport is not started.");
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            // A missing queue closes the channel (404): this one, not the shared topology channel.
            await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            channel.Dispose();
            throw new QueueNotFoundException(queue, e);
        }
        catch
        {
            channel.Dispose();
            throw;
        }
        return new AmqpQueueCursor(channel, queue, requeuesAtTail: string.Equals(_options.QueueType, "quorum", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    /// <remarks>
    /// The message waits in <c>&lt;queue&gt;.retry.&lt;ms&gt;</c>, declared with
    /// <c>x-message-ttl</c> = the delay and dead-lettered through the default exchange back to
    /// <paramref name="queue"/>. Needs a broker with TTL and dead-lettering (RabbitMQ).
    /// </remarks>
    public async Task DeferAsync(string queue, TimeSpan delay, TransportMessage message, CancellationToken cancellationToken)
    {
        if (!SupportsDelayedDelivery) throw new NotSupportedException("Delayed delivery needs a broker with message TTL and dead-lettering (AmqpTransportOptions.BrokerSupportsDeadLettering).");
        var retryQueue = TopologyConventions.RetryQueue(queue, delay);
        if (!_retryQueues.ContainsKey(retryQueue))
        {
            var plan = new TopologyPlan([], [new QueuePlan(retryQueue, true, false, false, $"delayed retries of {queue}", new Dictionary<string, object?>
            {
                ["x-message-ttl"] = (long)delay.TotalMilliseconds,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = queue,
            })], []);
            await DeclareAsync(plan, cancellationToken).ConfigureAwait(false);
            _retryQueues.TryAdd(retryQueue, 0);
        }
        await PublishAsync("", retryQueue, mandatory: true, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops consumers (letting in-flight handlers finish) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Keys) await subscription.DisposeAsync().ConfigureAwait(false);
        if (_connection is not null)
        {
            try
            {
                await _connection.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                _logger.LogDebug(e, "Closing the AMQP connection failed; it was already gone");
            }
            _connection.Dispose();
            _connection = null;
        }
        _topologyLock.Dispose();
        _replacing.Dispose();
    }

    private static BasicProperties ToProperties(TransportMessage message)
    {
        var properties = new BasicProperties
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            ReplyTo = message.ReplyTo,
            Type = message.Type,
            ContentType = message.ContentType,
            AppId = message.AppId,
            DeliveryMode = message.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient,
        };
        if (message.Timestamp is { } time) properties.Timestamp = new AmqpTimestamp(time.ToUnixTimeSeconds());
        properties.Headers = HeaderValues.ToTable(message);
        return properties;
    }

    internal static TransportMessage FromProperties(IReadOnlyBasicProperties properties, byte[] body)
    {
        var message = new TransportMessage
        {
            MessageId = properties.MessageId,
            CorrelationId = properties.CorrelationId,
            ReplyTo = properties.ReplyTo,
            Type = properties.Type,
            ContentType = properties.ContentType,
            AppId = properties.AppId,
            Persistent = properties.Persistent,
            Timestamp = properties.IsTimestampPresent() ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime) : null,
            Body = body,
        };
        if (properties.Headers is not null) HeaderValues.FromTable(properties.Headers, message);
        return message;
    }
}
