using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Warren.Messaging.Transports.Amqp;

/// <summary>One consuming endpoint: its own channel, prefetch and dispatch concurrency; acks after the handler.</summary>
internal sealed class AmqpSubscription : IAsyncDisposable
{
    private readonly AmqpTransport _transport;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly Func<IncomingMessage, CancellationToken, Task> _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _sync = new();
    private TaskCompletionSource? _drained;
    private int _inFlight;
    private string? _tag;
    private bool _disposed;

    public AmqpSubscription(AmqpTransport transport, IChannel channel, string queue, Func<IncomingMessage, CancellationToken, Task> handler, ILogger logger)
    {
        _transport = transport;
        _channel = channel;
        _queue = queue;
        _handler = handler;
        _logger = logger;
    }

    public async Task StartAsync(bool exclusive, CancellationToken cancellationToken)
    {
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        _tag = await _channel.BasicConsumeAsync(_queue, autoAck: false, consumerTag: "", noLocal: false, exclusive: exclusive, arguments: null, consumer, cancellationToken).ConfigureAwait(false);
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
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
                if (succeeded) await _channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
                else await _channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                // The channel died with the connection: the broker redelivers the message after recovery.
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

    /// <summary>Cancels the consumer, waits for in-flight handlers, closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        Task drained;
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_inFlight == 0) _drained.TrySetResult();
            drained = _drained.Task;
        }
        _transport.Forget(this);
        try
        {
            if (_tag is not null && _channel.IsOpen) await _channel.BasicCancelAsync(_tag).ConfigureAwait(false);
            await drained.ConfigureAwait(false);
            if (_channel.IsOpen) await _channel.CloseAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            _logger.LogDebug(e, "Closing the consumer of {Queue} failed; the channel was already gone", _queue);
        }
        _channel.Dispose();
        _stopping.Dispose();
    }
}
