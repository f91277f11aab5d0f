using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Warren.Messaging.Configuration;
using Warren.Messaging.Transports;

namespace Warren.Messaging;

public sealed partial class WarrenBus
{
    /// <summary>A request waiting for its reply (or a gather for its replies), by correlation id.</summary>
    private abstract class PendingReply
    {
        protected PendingReply(string name) => Name = name;

        public string Name { get; }

        /// <summary>Completes when the requester is done with it (shutdown waits for it).</summary>
        public Task Completion => Done.Task;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>False when the reply is not wanted any more.</summary>
        public abstract bool Deliver(TransportMessage reply);

        /// <summary>Ends the wait with <paramref name="error"/>: no reply can come any more.</summary>
        public abstract void Fail(Exception error);
    }

    private sealed class SingleReply(string name) : PendingReply(name)
    {
        public TaskCompletionSource<TransportMessage> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool Deliver(TransportMessage reply) => Reply.TrySetResult(reply);

        public override void Fail(Exception error) => Reply.TrySetException(error);
    }

    private sealed class GatheredReplies(string name) : PendingReply(name)
    {
        public Channel<TransportMessage> Replies { get; } = Channel.CreateUnbounded<TransportMessage>(new UnboundedChannelOptions { SingleReader = true });

        public override bool Deliver(TransportMessage reply) => Replies.Writer.TryWrite(reply);

        public override void Fail(Exception error) => Replies.Writer.TryComplete(error);
    }

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>((object)request, null, timeout, cancellationToken);

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(object request, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>(request, null, timeout, cancellationToken);

    /// <inheritdoc />
    public Task<TResponse> RequestAsync<TResponse>(IRequest<TResponse> request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RequestAsync<TResponse>((object)request, options, timeout, cancellationToken);

    /// <inheritdoc />
    public async Task<TResponse> RequestAsync<TResponse>(object request, SendOptions? options, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureRunning();
        var name = MessageNames.Of(request.GetType());
        var wait = timeout ?? _options.RequestTimeout;
        using var activity = StartProducerActivity(name, "request", _requestsExchange);
        var envelope = CreateMessage(MessageIntent.Request, name, request, options, activity);
        envelope.ReplyTo = ReplyQueue;
        var pending = new SingleReply(name);
        var correlationId = envelope.CorrelationId!;
        _pending[correlationId] = pending;
        try
        {
            if (!await PublishRequestAsync(name, request, envelope, activity, cancellationToken).ConfigureAwait(false)) throw new MessageNotSentException(name);
            AfterSent(MessageIntent.Request, name, request);
            TransportMessage reply;
            try
            {
                reply = await pending.Reply.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "timeout");
                throw new RequestTimeoutException(name, wait);
            }
            ThrowIfFault(name, reply, activity);
            return Decode<TResponse>(reply, name);
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
            pending.Done.TrySetResult();
        }
    }

    // False when a send filter stopped it.
    private async Task<bool> PublishRequestAsync(string name, object request, TransportMessage envelope, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            if (_sendPipeline is not null) return await FilteredSendAsync(MessageIntent.Request, name, request, envelope, _requestsExchange, name, true, cancellationToken).ConfigureAwait(false);
            await Transport.PublishAsync(_requestsExchange, name, mandatory: true, envelope, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MessageUnroutableException e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "no responder");
            throw new MessageUnroutableException(e.Exchange, e.RoutingKey, $"No service handles request '{name}': nothing is bound to exchange '{e.Exchange}' with key '{name}'.");
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, int maxResponses = int.MaxValue, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GatherAsync<TResponse>(request, null, maxResponses, timeout, cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<TResponse> GatherAsync<TResponse>(object request, SendOptions? options, int maxResponses = int.MaxValue, TimeSpan? timeout = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponses, 1);
        EnsureRunning();
        var name = MessageNames.Of(request.GetType());
        using var activity = StartProducerActivity(name, "gather", _requestsExchange);
        var envelope = CreateMessage(MessageIntent.Request, name, request, options, activity);
        envelope.ReplyTo = ReplyQueue;
        var pending = new GatheredReplies(name);
        var correlationId = envelope.CorrelationId!;
        _pending[correlationId] = pending;
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(timeout ?? _options.RequestTimeout);
        try
        {
            if (!await TryPublishGatherAsync(name, request, envelope, cancellationToken).ConfigureAwait(false)) yield break;
            AfterSent(MessageIntent.Request, name, request);
            var received = 0;
            while (received < maxResponses && await WaitForReplyAsync(pending, window.Token, cancellationToken).ConfigureAwait(false))
            {
                while (received < maxResponses && pending.Replies.Reader.TryRead(out var reply))
                {
                    if (reply.Header(WarrenHeaders.FaultType) is { } faultType)
                    {
                        _logger.LogWarning("Service {Responder} answered gathered request {Name} with a fault: {FaultType}: {FaultMessage}",
                            reply.AppId, name, faultType, reply.Header(WarrenHeaders.FaultMessage));
                        continue;
                    }
                    received++;
                    yield return Decode<TResponse>(reply, name);
                }
            }
            activity?.SetTag("warren.gather.responses", received);
        }
        finally
        {
            _pending.TryRemove(correlationId, out _);
            pending.Done.TrySetResult();
        }
    }

    // False when nobody handles it or a send filter stopped it.
    private async Task<bool> TryPublishGatherAsync(string name, object request, TransportMessage envelope, CancellationToken cancellationToken)
    {
        try
        {
            if (_sendPipeline is not null) return await FilteredSendAsync(MessageIntent.Request, name, request, envelope, _requestsExchange, name, true, cancellationToken).ConfigureAwait(false);
            await Transport.PublishAsync(_requestsExchange, name, mandatory: true, envelope, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MessageUnroutableException)
        {
            _logger.LogDebug("No service handles gathered request {Name}", name);
            return false;
        }
    }

    // False when the time window closed; the caller's own cancellation propagates.
    private static async Task<bool> WaitForReplyAsync(GatheredReplies pending, CancellationToken window, CancellationToken caller)
    {
        try
        {
            return await pending.Replies.Reader.WaitToReadAsync(window).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!caller.IsCancellationRequested)
        {
            return false;
        }
    }

    // The reply queue is exclusive: the broker deleted it with the connection, and replies sent
    // to it meanwhile are gone. Waiting out the timeout would only hide that.
    private void OnConnectionLost(ConnectionLostException lost)
    {
        foreach (var pending in _pending.Values)
        {
            pending.Fail(new ConnectionLostException(
                $"{lost.Message} Request '{pending.Name}' was waiting for replies, which were lost with the reply queue; it may or may not have been handled.", lost));
        }
    }

    private Task OnReplyAsync(IncomingMessage incoming, CancellationToken cancellationToken)
    {
        var reply = incoming.Message;
        var id = reply.CorrelationId;
        if (id is null || !_pending.TryGetValue(id, out var pending) || !pending.Deliver(reply))
        {
            // After a timeout or cancellation, or a second responder to a plain request.
            _logger.LogWarning("Reply {Name} from {Responder} with correlation id {CorrelationId} arrived when no request was waiting for it (late, or an extra responder); dropped",
                reply.Type, reply.AppId, id);
            Interlocked.Increment(ref _unexpectedReplies);
        }
        return Task.CompletedTask;
    }

    private long _unexpectedReplies;

    /// <summary>Replies that came when nobody waited for them (after a timeout, or from an extra responder).</summary>
    public long UnexpectedReplies => Interlocked.Read(ref _unexpectedReplies);

    private static void ThrowIfFault(string name, TransportMessage reply, Activity? activity)
    {
        if (reply.Header(WarrenHeaders.FaultType) is not { } faultType) return;
        activity?.SetStatus(ActivityStatusCode.Error, "fault");
        throw new RequestFaultedException(name, reply.AppId, faultType, reply.Header(WarrenHeaders.FaultMessage) ?? "");
    }

    private TResponse Decode<TResponse>(TransportMessage reply, string name)
    {
        try
        {
            return JsonSerializer.Deserialize<TResponse>(reply.Body.Span, _options.JsonSerializerOptions)!;
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The reply to '{name}' from '{reply.AppId}' is not a valid {typeof(TResponse).Name}: {e.Message}", e);
        }
    }
}
