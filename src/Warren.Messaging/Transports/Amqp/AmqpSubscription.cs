using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Messaging.Transports.Amqp;

/// <summary>
/// One consuming endpoint: its own channel, prefetch and dispatch concurrency; acks after the handler.
/// When the broker cancels the consumer (its queue was deleted) or closes its channel while the
/// connection stays up, automatic recovery does nothing; the subscription logs a warning, then
/// tries again on a new channel, every <see cref="AmqpTransportOptions.ReconnectInterval"/> at
/// first and backing off to <see cref="MaxReattachInterval"/>, until the queue exists again. It
/// does not declare the queue itself: a deleted queue stays deleted until someone declares it
/// (a redeploy, another instance, connection recovery).
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
    private AsyncEventingBasicConsumer? _attached;
    private string? _tag;
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

    private async Task AttachAsync(CancellationToken cancellationToken)
    {
        var channel = await _transport.OpenConsumerChannelAsync(_settings, cancellationToken).ConfigureAwait(false);
        try
        {
            await channel.BasicQosAsync(0, _settings.Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += OnReceivedAsync;
            consumer.UnregisteredAsync += OnUnregisteredAsync;
            consumer.ShutdownAsync += OnShutdownAsync;
            var tag = await channel.BasicConsumeAsync(_queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: _settings.Exclusive, arguments: null, consumer, cancellationToken).ConfigureAwait(false);
            lock (_sync)
            {
                _channel = channel;
                _attached = consumer;
                _tag = tag;
            }
        }
        catch
        {
            await AmqpTransport.DiscardAsync(channel, _logger).ConfigureAwait(false);
            throw;
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        // Settle on the channel the message came on: after a re-attach it is not the current one.
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        lock (_sync) _inFlight++;
        try
        {
            var message = AmqpTransport.FromProperties(delivery.BasicProperties, delivery.Body.ToArray());
            var incoming = new IncomingMessage(message, _queue, delivery.Exchange, delivery.RoutingKey, delivery.Redelivered);
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
                if (succeeded) await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
                else await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true).ConfigureAwait(false);
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

    // basic.cancel from the broker (the queue was deleted), or basic.cancel-ok after DisposeAsync.
    private Task OnUnregisteredAsync(object sender, ConsumerEventArgs args)
    {
        Detached(sender, $"the broker cancelled the consumer (queue '{_queue}' deleted?)");
        return Task.CompletedTask;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs reason)
    {
        // Connection loss is automatic recovery's job; only a channel error leaves the consumer dead.
        if (AmqpTransport.IsChannelError(reason)) Detached(sender, reason.ReplyText);
        return Task.CompletedTask;
    }

    private void Detached(object sender, string why)
    {
        IChannel dead;
        lock (_sync)
        {
            if (_disposed || !ReferenceEquals(sender, _attached) || _channel is null) return;
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
}
