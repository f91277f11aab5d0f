using System.Collections.Concurrent;
using System.Globalization;
using Warren.Broker;
using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.VirtualHosts;
using Warren.Messaging.Topology;

namespace Warren.Messaging.Transports.InProcess;

/// <summary>
/// A transport that drives an embedded <see cref="Warren.Broker.Broker"/> directly, without
/// sockets: the same exchanges, routing, queues, competing consumers, acknowledgements and
/// mandatory returns as over AMQP. Each transport instance is one "connection": the exclusive
/// queues it declares belong to it and are deleted when it is disposed.
/// </summary>
public sealed class InProcessTransport : ITransport
{
    private readonly VirtualHost _virtualHost;
    private readonly ConcurrentDictionary<Queue, byte> _exclusiveQueues = new();
    private readonly ConcurrentDictionary<InProcessConsumer, byte> _consumers = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _consumerCount;
    private volatile bool _started;

    /// <summary>The broker <see cref="Configuration.WarrenOptions.UseInProcess"/> uses when given none: one per process.</summary>
    public static Warren.Broker.Broker SharedBroker { get; } = new();

    /// <summary>Creates a transport on <paramref name="broker"/>'s virtual host <paramref name="virtualHost"/> (created if missing).</summary>
    public InProcessTransport(Warren.Broker.Broker broker, string virtualHost = "/")
    {
        _virtualHost = broker.AddVirtualHost(virtualHost);
    }

    /// <inheritdoc />
    public string Name => "in-process";

    /// <inheritdoc />
    public bool IsConnected => _started && !_disposed.IsCancellationRequested;

    /// <inheritdoc />
    public bool SupportsDelayedDelivery => true;

    /// <inheritdoc />
    public bool ConsumersAttached
    {
        get
        {
            foreach (var consumer in _consumers.Keys)
            {
                if (!consumer.IsAttached) return false;
            }
            return true;
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _started = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DeclareAsync(TopologyPlan plan, CancellationToken cancellationToken)
    {
        var operation = "";
        try
        {
            foreach (var exchange in plan.Exchanges)
            {
                operation = $"Declaring exchange '{exchange.Name}'";
                _virtualHost.DeclareExchange(exchange.Name, exchange.Type, new ExchangeSettings(exchange.Durable, false, false, null), passive: false);
            }
            foreach (var queue in plan.Queues)
            {
                operation = $"Declaring queue '{queue.Name}'";
                var declared = _virtualHost.DeclareQueue(queue.Name, new QueueSettings(queue.Durable, queue.Exclusive, queue.AutoDelete, queue.Arguments), passive: false, connection: this);
                if (queue.Exclusive) _exclusiveQueues.TryAdd(declared.Queue, 0);
            }
            foreach (var binding in plan.Bindings)
            {
                operation = $"Binding queue '{binding.Queue}' to exchange '{binding.Exchange}'";
                _virtualHost.BindQueue(binding.Queue, binding.Exchange, binding.RoutingKey, null, this);
            }
        }
        catch (BrokerException e) when (!e.IsHardError)
        {
            return Task.FromException(Refused(operation, e));
        }
        return Task.CompletedTask;
    }

    // The AMQP transport's exception for the same refusal, with RabbitMQ's reply text.
    private static BrokerRefusedException Refused(string operation, BrokerException e)
    {
        var name = e.Error switch
        {
            BrokerError.AccessRefused => "ACCESS_REFUSED",
            BrokerError.NotFound => "NOT_FOUND",
            BrokerError.ResourceLocked => "RESOURCE_LOCKED",
            _ => "PRECONDITION_FAILED",
        };
        return new BrokerRefusedException(operation, (int)e.Error, $"{name} - {e.Message}", e);
    }

    /// <inheritdoc />
    public Task PublishAsync(string exchange, string routingKey, bool mandatory, TransportMessage message, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        cancellationToken.ThrowIfCancellationRequested();
        int routed;
        try
        {
            routed = _virtualHost.Publish(exchange, new Message(exchange, routingKey, ToProperties(message), message.Body.ToArray())).QueueCount;
        }
        catch (BrokerException e) when (e.Error == BrokerError.NotFound)
        {
            return Task.FromException(new MessageUnroutableException(exchange, routingKey, e.Message));
        }
        if (routed == 0 && mandatory)
        {
            return Task.FromException(new MessageUnroutableException(exchange, routingKey,
                $"NO_ROUTE: no queue is bound to exchange '{exchange}' with routing key '{routingKey}'."));
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IAsyncDisposable> ConsumeAsync(string queue, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        Queue target;
        try
        {
            target = _virtualHost.GetQueue(queue, this);
        }
        catch (BrokerException e) when (!e.IsHardError)
        {
            return Task.FromException<IAsyncDisposable>(Refused($"Consuming queue '{queue}'", e));
        }
        var tag = "warren.ctag-" + Interlocked.Increment(ref _consumerCount).ToString(CultureInfo.InvariantCulture);
        var consumer = new InProcessConsumer(this, queue, tag, settings, handler, _disposed.Token);
        _consumers.TryAdd(consumer, 0);
        target.AddConsumer(consumer);
        return Task.FromResult<IAsyncDisposable>(consumer);
    }

    /// <summary>Attaches a consumer whose queue was deleted to the queue of that name, if there is one again.</summary>
    internal bool TryReattach(InProcessConsumer consumer, string queue)
    {
        try
        {
            _virtualHost.GetQueue(queue, this).AddConsumer(consumer);
            return true;
        }
        catch (BrokerException e) when (!e.IsHardError)
        {
            return false;
        }
    }

    internal void OnConsumerStopped(InProcessConsumer consumer, Queue queue)
    {
        _consumers.TryRemove(consumer, out _);
        if (queue.RemoveConsumer(consumer)) _virtualHost.DeleteQueue(queue);
    }

    /// <inheritdoc />
    public Task<IQueueCursor> BrowseAsync(string queue, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            return Task.FromResult<IQueueCursor>(new InProcessQueueCursor(_virtualHost.GetQueue(queue, this)));
        }
        catch (BrokerException e) when (e.Error == BrokerError.NotFound)
        {
            return Task.FromException<IQueueCursor>(new QueueNotFoundException(queue, e));
        }
    }

    /// <inheritdoc />
    /// <remarks>In-process, the delay is a timer in this process: the message waits in memory, not in a broker queue.</remarks>
    public Task DeferAsync(string queue, TimeSpan delay, TransportMessage message, CancellationToken cancellationToken)
    {
        _ = DeliverLaterAsync(queue, delay, message);
        return Task.CompletedTask;
    }

    private async Task DeliverLaterAsync(string queue, TimeSpan delay, TransportMessage message)
    {
        try
        {
            await Task.Delay(delay, _disposed.Token).ConfigureAwait(false);
            await PublishAsync("", queue, mandatory: false, message, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposed while waiting: like a retry queue on a broker that went away.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Stops every consumer and deletes this connection's exclusive queues.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested) return;
        foreach (var consumer in _consumers.Keys) await consumer.DisposeAsync().ConfigureAwait(false);
        await _disposed.CancelAsync().ConfigureAwait(false);
        foreach (var queue in _exclusiveQueues.Keys) _virtualHost.DeleteQueue(queue);
        _disposed.Dispose();
    }

    internal static IncomingMessage ToIncoming(in QueueEntry entry, string queue)
    {
        var message = entry.Message;
        var properties = message.Properties;
        var transport = new TransportMessage
        {
            MessageId = properties.MessageId,
            CorrelationId = properties.CorrelationId,
            ReplyTo = properties.ReplyTo,
            Type = properties.Type,
            ContentType = properties.ContentType,
            AppId = properties.AppId,
            Timestamp = properties.Timestamp is { } seconds ? DateTimeOffset.FromUnixTimeSeconds((long)seconds) : null,
            Persistent = properties.IsPersistent,
            Body = message.Body,
        };
        if (properties.Headers is not null) HeaderValues.FromTable(properties.Headers, transport);
        return new IncomingMessage(transport, queue, message.Exchange, message.RoutingKey, entry.Redelivered);
    }

    private static MessageProperties ToProperties(TransportMessage message)
    {
        var properties = new MessageProperties
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            ReplyTo = message.ReplyTo,
            Type = message.Type,
            ContentType = message.ContentType,
            AppId = message.AppId,
            DeliveryMode = message.Persistent ? (byte)2 : (byte)1,
            Timestamp = message.Timestamp is { } time ? (ulong)time.ToUnixTimeSeconds() : null,
            Headers = HeaderValues.ToTable(message),
        };
        return properties;
    }
}
