using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Warren.Messaging.Configuration;

namespace Warren.Messaging.Testing;

/// <summary>One thing a bus did with a message.</summary>
/// <param name="Intent">Event, command, request (or reply).</param>
/// <param name="Name">The message name.</param>
/// <param name="Message">The message object.</param>
/// <param name="Context">For handled messages, the handler's context.</param>
public sealed record RecordedMessage(MessageIntent Intent, string Name, object Message, MessageContext? Context);

/// <summary>
/// Records what the bus sent and handled, and lets a test await a message instead of sleeping:
/// <c>await recorder.WaitForHandledAsync&lt;OrderPlaced&gt;(o =&gt; o.Id == 42)</c>. Register with
/// <see cref="MessageRecorderExtensions.AddWarrenMessageRecorder"/>; works on any transport, and
/// pairs with the in-process one for unit tests.
/// </summary>
public sealed class MessageRecorder : IMessageObserver
{
    private readonly object _sync = new();
    private readonly List<RecordedMessage> _sent = new();
    private readonly List<RecordedMessage> _handled = new();
    private readonly List<RecordedMessage> _failed = new();
    private readonly List<(List<RecordedMessage> List, Func<RecordedMessage, bool> Match, TaskCompletionSource<RecordedMessage> Done)> _waiters = new();

    /// <summary>How long waits last by default. 10 s.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Everything published, sent or requested so far.</summary>
    public IReadOnlyList<RecordedMessage> Sent { get { lock (_sync) return _sent.ToArray(); } }

    /// <summary>Everything handled so far.</summary>
    public IReadOnlyList<RecordedMessage> Handled { get { lock (_sync) return _handled.ToArray(); } }

    /// <summary>Every failed handler attempt so far.</summary>
    public IReadOnlyList<RecordedMessage> Failed { get { lock (_sync) return _failed.ToArray(); } }

    /// <summary>Waits until an event of type <typeparamref name="T"/> matching <paramref name="predicate"/> is published.</summary>
    public Task<T> WaitForPublishedAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => WaitAsync(_sent, MessageIntent.Event, predicate, timeout);

    /// <summary>Waits until a command of type <typeparamref name="T"/> is sent.</summary>
    public Task<T> WaitForSentAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => WaitAsync(_sent, MessageIntent.Command, predicate, timeout);

    /// <summary>Waits until a message of type <typeparamref name="T"/> is handled successfully.</summary>
    public Task<T> WaitForHandledAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => WaitAsync(_handled, null, predicate, timeout);

    /// <summary>Waits until a handler throws an exception of type <typeparamref name="T"/> (the recorded message is the exception).</summary>
    public Task<T> WaitForFailedAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => WaitAsync(_failed, null, predicate, timeout);

    private async Task<T> WaitAsync<T>(List<RecordedMessage> list, MessageIntent? intent, Func<T, bool>? predicate, TimeSpan? timeout)
    {
        bool Match(RecordedMessage r) => (intent is null || r.Intent == intent) && r.Message is T typed && (predicate is null || predicate(typed));
        TaskCompletionSource<RecordedMessage> done;
        lock (_sync)
        {
            foreach (var recorded in list)
            {
                if (Match(recorded)) return (T)recorded.Message;
            }
            done = new TaskCompletionSource<RecordedMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((list, Match, done));
        }
        var wait = timeout ?? DefaultTimeout;
        try
        {
            return (T)(await done.Task.WaitAsync(wait).ConfigureAwait(false)).Message;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No {typeof(T).Name} matching the condition within {wait.TotalSeconds:0.#} s.");
        }
        finally
        {
            lock (_sync) _waiters.RemoveAll(w => w.Done == done);
        }
    }

    private void Record(List<RecordedMessage> list, RecordedMessage recorded)
    {
        List<TaskCompletionSource<RecordedMessage>>? ready = null;
        lock (_sync)
        {
            list.Add(recorded);
            foreach (var waiter in _waiters)
            {
                if (ReferenceEquals(waiter.List, list) && waiter.Match(recorded)) (ready ??= new()).Add(waiter.Done);
            }
        }
        if (ready is not null) foreach (var done in ready) done.TrySetResult(recorded);
    }

    void IMessageObserver.OnSent(MessageIntent intent, string name, object message) => Record(_sent, new RecordedMessage(intent, name, message, null));

    void IMessageObserver.OnHandled(MessageIntent intent, string name, object message, MessageContext context) => Record(_handled, new RecordedMessage(intent, name, message, context));

    void IMessageObserver.OnFailed(MessageIntent intent, string name, MessageContext context, Exception exception) => Record(_failed, new RecordedMessage(intent, name, exception, context));
}

/// <summary>Registers the <see cref="MessageRecorder"/>.</summary>
public static class MessageRecorderExtensions
{
    /// <summary>Adds a singleton <see cref="MessageRecorder"/> that observes the bus.</summary>
    public static IServiceCollection AddWarrenMessageRecorder(this IServiceCollection services)
    {
        services.TryAddSingleton<MessageRecorder>();
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<MessageRecorder>());
        return services;
    }
}
