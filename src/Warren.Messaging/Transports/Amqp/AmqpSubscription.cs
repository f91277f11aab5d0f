using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Messaging.Transports.Amqp;

/// <summary>
/// One consuming endpoint: its own channel, prefetch and dispatch concurrency; acks after the handler.
/// Three ways to stop receiving, told apart because each needs something else:
/// <list type="bullet">
/// <item>the connection is lost: RabbitMQ.Client's automatic recovery re-declares the queues and
/// consumes again on the recovered channel (basic.consume-ok marks the consumer attached again);</item>
/// <item>the broker cancels the consumer (basic.cancel: its queue was deleted) or closes its
/// channel while the connection stays up: automatic recovery does nothing, so the subscription
/// logs a warning, then tries again on a new channel, every
/// <see cref="AmqpTransportOptions.ReconnectInterval"/> at first and backing off to
/// <see cref="MaxReattachInterval"/>, until the queue exists again. It does not declare the queue
/// itself: a deleted queue stays deleted until someone declares it (a redeploy, another instance,
/// connection recovery);</item>
/// <item>the bus cancels it (<see cref="DisposeAsync"/>).</item>
/// </list>
/// <see cref="IsAttached"/> is false from the loss until the broker confirms the consumer again.
/// </summary>
internal sealed class AmqpSubscription : IAsyncDisposable
{
    internal static readonly TimeSpan MaxReattachInterval = TimeSpan.FromSeconds(30);

    private readonly AmqpTransport _transport;
    private readonly string _queue;
    private readonly ConsumerSettings _settings;
    private readonly Func<IncomingMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopReattaching = new();
    private readonly object _sync = new();
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private IChannel? _channel;
    private Consumer? _attached;
    private string? _tag;
    private volatile bool _receiving;
    private Task? _reattaching;
    private bool _disposed;

    public AmqpSubscription(AmqpTransport transport, string queue, ConsumerSettings settings, Func<IncomingMessage, CancellationToken, Task> handler, ILogger logger)
    {
        _transport = transport;
        _queue = queue;
        _settings = settings;
        _handler = handler;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken) => AttachAsync(cancellationToken);

    /// <summary>True while the broker has this consumer registered on a live channel.</summary>
    public bool IsAttached => _receiving;

    public string Queue => _queue;

    private async Task AttachAsync(CancellationToken cancellationToken)
    {
        var channel = await _transport.OpenConsumerChannelAsync(_settings, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.BasicQosAsync(0, _settings.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var consumer = new Consumer(channel, this);
            var tag = await channel.BasicConsumeAsync(_queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: _settings.Exclusive, arguments: null, consumer, cancellationToken).ConfigureAwait(false);
            lock (_sync)
            {
                _channel = channel;
                _attached = consumer;
                _tag = tag;
                _receiving = true;
            }
        }
        catch
        {
            await AmqpTransport.DiscardAsync(channel, _logger).ConfigureAwait(false);
            throw;
        }
    }

    private async Task OnReceivedAsync(Consumer consumer, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
        IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        // Settle on the channel the message came on: after a re-attach it is not the current one.
        var channel = consumer.Channel;
        lock (_sync) _inFlight++;
        try
        {
            var message = AmqpTransport.FromProperties(properties, body.ToArray());
            var incoming = new IncomingMessage(message, _queue, exchange, routingKey, redelivered);
            bool succeeded;
            try
            {
                await _handler(incoming, _stopping.Token).ConfigureAwait(false);
                succeeded = true;
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Handling a message from {Queue} failed outside the retry pipeline; requeueing it", _queue);
                succeeded = false;
            }
            try
            {
                if (succeeded) await channel.BasicAckAsync(deliveryTag, multiple: false).ConfigureAwait(false);
                else await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                // The channel died (with the connection, or closed by the broker): the broker
                // redelivers the message, if its queue still exists.
                _logger.LogWarning(e, "Could not settle a message from {Queue}; the broker will redeliver it", _queue);
            }
        }
        finally
        {
            TaskCompletionSource? drained;
            lock (_sync)
            {
                _inFlight--;
                drained = _inFlight == 0 ? _drained : null;
            }
            drained?.TrySetResult();
        }
    }

    // basic.cancel from the broker: RabbitMQ sends it when the queue is deleted (or, for a quorum
    // queue, when its leader is lost). Not sent on connection loss.
    private void OnCancelledByBroker(Consumer consumer) =>
        Detached(consumer, $"the broker cancelled the consumer (queue '{_queue}' was deleted, or became unavailable)");

    private void OnConsumeOk(Consumer consumer)
    {
        bool recovered;
        lock (_sync)
        {
            if (_disposed || !ReferenceEquals(consumer, _attached)) return;
            recovered = !_receiving;
            _receiving = true;
        }
        // After automatic recovery: the consumer is registered again on the recovered channel.
        if (recovered) _logger.LogInformation("Consuming {Queue} again after the connection recovered", _queue);
    }

    private void OnChannelShutdown(Consumer consumer, ShutdownEventArgs reason)
    {
        if (AmqpTransport.IsChannelError(reason))
        {
            Detached(consumer, $"the broker closed its channel: {reason.ReplyText}");
            return;
        }
        lock (_sync)
        {
            if (_disposed || !ReferenceEquals(consumer, _attached)) return;
            _receiving = false;
        }
        // The connection went (the transport logs why, once): automatic recovery consumes again.
        if (reason.Initiator != ShutdownInitiator.Application)
        {
            _logger.LogInformation("Consuming {Queue} paused: the connection was lost ({Reason}); it resumes when the connection recovers", _queue, reason.ReplyText);
        }
    }

    private void Detached(Consumer consumer, string why)
    {
        IChannel dead;
        lock (_sync)
        {
            if (_disposed || !ReferenceEquals(consumer, _attached) || _channel is null) return;
            _receiving = false;
            _attached = null;
            _tag = null;
            dead = _channel;
            _reattaching = Task.Run(() => ReattachAsync(dead, why));
        }
    }

    private async Task ReattachAsync(IChannel dead, string why)
    {
        _logger.LogWarning("Stopped consuming {Queue}: {Reason}; consuming again when the queue exists", _queue, why);
        // Closing it also makes connection recovery forget its consumer.
        await AmqpTransport.DiscardAsync(dead, _logger).ConfigureAwait(false);
        var delay = _transport.ReconnectInterval;
        var token = _stopReattaching.Token;
        while (true)
        {
            try
            {
                await Task.Delay(delay, token).ConfigureAwait(false);
                await AttachAsync(token).ConfigureAwait(false);
                _logger.LogInformation("Consuming {Queue} again", _queue);
                return;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                _logger.LogDebug(e, "Queue {Queue} still cannot be consumed; trying again in {Delay}", _queue, delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReattachInterval.Ticks));
            }
        }
    }

    /// <summary>Cancels the consumer, waits for in-flight handlers, closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        Task drained;
        Task? reattaching;
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight == 0) _drained.TrySetResult();
            drained = _drained.Task;
            reattaching = _reattaching;
        }
        _transport.Forget(this);
        await _stopReattaching.CancelAsync().ConfigureAwait(false);
        if (reattaching is not null) await reattaching.ConfigureAwait(false);
        IChannel? channel;
        string? tag;
        lock (_sync)
        {
            channel = _channel;
            tag = _tag;
        }
        try
        {
            if (channel is not null && tag is not null && channel.IsOpen) await channel.BasicCancelAsync(tag).ConfigureAwait(false);
            await drained.ConfigureAwait(false);
            if (channel is not null && channel.IsOpen) await channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            _logger.LogDebug(e, "Closing the consumer of {Queue} failed; the channel was already gone", _queue);
        }
        channel?.Dispose();
        _stopReattaching.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Tells apart what RabbitMQ.Client's eventing consumer merges: it raises "unregistered" both
    /// for the broker's basic.cancel and for any channel shutdown, connection loss included.
    /// </summary>
    private sealed class Consumer(IChannel channel, AmqpSubscription subscription) : AsyncDefaultBasicConsumer(channel)
    {
        public override async Task HandleBasicConsumeOkAsync(string consumerTag, CancellationToken cancellationToken = default)
        {
            await base.HandleBasicConsumeOkAsync(consumerTag, cancellationToken).ConfigureAwait(false);
            subscription.OnConsumeOk(this);
        }

        public override Task HandleBasicDeliverAsync(string consumerTag, ulong deliveryTag, bool redelivered, string exchange, string routingKey,
            IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default) =>
            subscription.OnReceivedAsync(this, deliveryTag, redelivered, exchange, routingKey, properties, body);

        public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
        {
            await base.HandleBasicCancelAsync(consumerTag, cancellationToken).ConfigureAwait(false);
            subscription.OnCancelledByBroker(this);
        }

        public override async Task HandleChannelShutdownAsync(object channel, ShutdownEventArgs reason)
        {
            await base.HandleChannelShutdownAsync(channel, reason).ConfigureAwait(false);
            subscription.OnChannelShutdown(this, reason);
        }
    }
}
