using System.Collections.Concurrent;
using Warren.Broker.Consumers;
using Warren.Broker.Exchanges;
using Warren.Broker.Messages;
using Warren.Broker.Queues;
using Warren.Broker.Routing;

namespace Warren.Broker.VirtualHosts;

/// <summary>
/// A virtual host: an isolated namespace of exchanges, queues and bindings.
/// Topology changes are serialised by one lock; publishing reads lock-free dictionaries and
/// each exchange's own lock, so routing never waits for a declaration elsewhere.
/// </summary>
public sealed partial class VirtualHost
{
    private const string ReservedPrefix = "amq.";

    private readonly ConcurrentDictionary<string, Exchange> _exchanges = new();
    private readonly ConcurrentDictionary<string, Queue> _queues = new();
    private readonly object _topology = new();

    /// <summary>Creates a virtual host with the default and amq.* exchanges.</summary>
    public VirtualHost(string name)
    {
        Name = name;
        DefaultExchange = new DirectExchange("", ExchangeSettings.DurableDefault);
        _exchanges[""] = DefaultExchange;
        AddPredeclared("amq.direct", ExchangeTypes.Direct);
        AddPredeclared("amq.fanout", ExchangeTypes.Fanout);
        AddPredeclared("amq.topic", ExchangeTypes.Topic);
        AddPredeclared("amq.headers", ExchangeTypes.Headers);
        AddPredeclared("amq.match", ExchangeTypes.Headers);
    }

    /// <summary>Message counts of this host's channels that have closed; the live channels' counts are added on read.</summary>
    public Statistics.MessageCounters ClosedChannelStats { get; } = new();

    /// <summary>Queues declared and deleted since start (RabbitMQ's churn rates).</summary>
    public long QueuesDeclared => Volatile.Read(ref _queuesDeclared);

    /// <summary>Queues deleted since start.</summary>
    public long QueuesDeleted => Volatile.Read(ref _queuesDeleted);

    private long _queuesDeclared;
    private long _queuesDeleted;

    /// <summary>The name, e.g. "/".</summary>
    public string Name { get; }

    /// <summary>The nameless direct exchange every queue is implicitly bound to by its name.</summary>
    public Exchange DefaultExchange { get; }

    /// <summary>A snapshot of the exchanges.</summary>
    public IReadOnlyCollection<Exchange> Exchanges => _exchanges.Values.ToArray();

    /// <summary>A snapshot of the queues.</summary>
    public IReadOnlyCollection<Queue> Queues => _queues.Values.ToArray();

    private void AddPredeclared(string name, string type) =>
        _exchanges[name] = Exchange.Create(name, type, ExchangeSettings.DurableDefault)!;

    /// <summary>Finds an exchange or fails with 404.</summary>
    public Exchange GetExchange(string name) =>
        _exchanges.TryGetValue(name, out var exchange) ? exchange : throw BrokerException.NoExchange(name, Name);

    /// <summary>Finds an exchange.</summary>
    public bool TryGetExchange(string name, out Exchange exchange) => _exchanges.TryGetValue(name, out exchange!);

    /// <summary>Finds a queue, whoever owns it (the management plane sees exclusive queues too).</summary>
    public bool TryGetQueue(string name, out Queue queue) => _queues.TryGetValue(name, out queue!);

    /// <summary>Finds a queue usable by <paramref name="connection"/> or fails (404, or 405 when another connection owns it).</summary>
    public Queue GetQueue(string name, object? connection)
    {
        if (!_queues.TryGetValue(name, out var queue)) throw BrokerException.NoQueue(name, Name);
        CheckOwner(queue, connection);
        return queue;
    }

    private void CheckOwner(Queue queue, object? connection)
    {
        if (queue.Owner is not null && !ReferenceEquals(queue.Owner, connection)) throw BrokerException.Locked(queue.Name, Name);
    }

    /// <summary>Declares an exchange, or checks an existing one is equivalent (406 otherwise).</summary>
    public Exchange DeclareExchange(string name, string type, ExchangeSettings settings, bool passive)
    {
        // Even a passive declare of the default exchange is refused (RabbitMQ 3.10).
        if (name.Length == 0) throw new BrokerException(BrokerError.AccessRefused, "operation not permitted on the default exchange");
        if (passive) return GetExchange(name);
        if (name.StartsWith(ReservedPrefix, StringComparison.Ordinal) && !_exchanges.ContainsKey(name))
        {
            throw new BrokerException(BrokerError.AccessRefused, $"exchange name '{name}' contains reserved prefix 'amq.*'");
        }
        lock (_topology)
        {
            if (_exchanges.TryGetValue(name, out var existing))
            {
                CheckEquivalent(existing, type, settings);
                return existing;
            }
            if (settings.Arguments is { } arguments && arguments.TryGetValue("alternate-exchange", out var alternate) && !FieldValues.TryGetString(alternate, out _))
            {
                throw new BrokerException(BrokerError.PreconditionFailed,
                    $"invalid type '{FieldValues.TypeName(alternate)}' for arg 'alternate-exchange' in exchange '{name}' in vhost '{Name}'");
            }
            var created = Exchange.Create(name, type, settings)
                ?? throw new BrokerException(BrokerError.CommandInvalid, $"unknown exchange type '{type}'");
            ApplyPolicies(created);
            _exchanges[name] = created;
            LogExchangeDeclared(created);
            return created;
        }
    }

    private void CheckEquivalent(Exchange existing, string type, ExchangeSettings settings)
    {
        var what = $"for exchange '{existing.Name}' in vhost '{Name}'";
        if (existing.Type != type) throw Inequivalent("type", what, type, existing.Type);
        var current = existing.Settings;
        if (current.Durable != settings.Durable) throw Inequivalent("durable", what, settings.Durable, current.Durable);
        if (current.AutoDelete != settings.AutoDelete) throw Inequivalent("auto_delete", what, settings.AutoDelete, current.AutoDelete);
        if (current.Internal != settings.Internal) throw Inequivalent("internal", what, settings.Internal, current.Internal);
        CheckArguments(what, settings.Arguments, current.Arguments, ExchangeArgumentKeys);
    }

    // RabbitMQ compares only the arguments it knows when checking a redeclaration; others may differ.
    private static readonly string[] ExchangeArgumentKeys = ["alternate-exchange"];

    private static readonly string[] QueueArgumentKeys =
    [
        "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key", "x-max-length",
        "x-max-length-bytes", "x-max-in-memory-length", "x-max-in-memory-bytes", "x-max-priority", "x-overflow",
        "x-queue-mode", "x-queue-version", "x-single-active-consumer", "x-queue-type", "x-quorum-initial-group-size",
        "x-max-age", "x-stream-max-segment-size-bytes", "x-initial-cluster-size", "x-queue-leader-locator", "x-delivery-limit",
    ];

    private static BrokerException Inequivalent(string arg, string what, object received, object current) =>
        new(BrokerError.PreconditionFailed,
            $"inequivalent arg '{arg}' {what}: received '{Lower(received)}' but current is '{Lower(current)}'");

    private static string Lower(object value) => value is bool b ? (b ? "true" : "false") : value.ToString() ?? "";

    private static void CheckArguments(string what, IReadOnlyDictionary<string, object?>? received, IReadOnlyDictionary<string, object?>? current, string[] keys)
    {
        foreach (var key in keys)
        {
            object? newValue = null, oldValue = null;
            var hasNew = received is not null && received.TryGetValue(key, out newValue);
            var hasOld = current is not null && current.TryGetValue(key, out oldValue);
            if (!hasNew && !hasOld) continue;
            if (hasNew && hasOld)
            {
                if (FieldValues.AreEqual(newValue, oldValue) || SameNumber(newValue, oldValue)) continue;
                // Both present: RabbitMQ names the bare values.
                throw new BrokerException(BrokerError.PreconditionFailed,
                    $"inequivalent arg '{key}' {what}: received '{Describe(newValue)}' but current is '{Describe(oldValue)}'");
            }
            throw new BrokerException(BrokerError.PreconditionFailed,
                $"inequivalent arg '{key}' {what}: received {Typed(hasNew, newValue)} but current is {Typed(hasOld, oldValue)}");
        }
    }

    // Integers of different widths are the same class of value to RabbitMQ.
    private static bool SameNumber(object? a, object? b) =>
        FieldValues.TryGetInteger(a, out var x) && FieldValues.TryGetInteger(b, out var y) && x == y;

    private static string Typed(bool present, object? value) =>
        present ? $"the value '{Describe(value)}' of type '{FieldValues.TypeName(value)}'" : "none";

    private static string Describe(object? value) => FieldValues.TryGetString(value, out var s) ? s : value?.ToString() ?? "void";


    /// <summary>Deletes an exchange; a missing one is not an error (RabbitMQ).</summary>
    public void DeleteExchange(string name, bool ifUnused)
    {
        if (name.Length == 0 || name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new BrokerException(BrokerError.AccessRefused,
                name.Length == 0 ? "operation not permitted on the default exchange" : $"exchange name '{name}' contains reserved prefix 'amq.*'");
        }
        lock (_topology)
        {
            if (!_exchanges.TryGetValue(name, out var exchange)) return;
            if (ifUnused && exchange.BindingCount > 0)
            {
                throw new BrokerException(BrokerError.PreconditionFailed, $"exchange '{name}' in vhost '{Name}' in use");
            }
            RemoveExchangeLocked(exchange);
        }
    }

    private void RemoveExchangeLocked(Exchange exchange)
    {
        _exchanges.TryRemove(exchange.Name, out _);
        foreach (var binding in exchange.Bindings) RemoveBindingLocked(binding);
        foreach (var incoming in exchange.IncomingBindings.ToArray()) RemoveBindingLocked(incoming);
        LogExchangeDeleted(exchange);
    }

    /// <summary>Result of declaring a queue.</summary>
    public readonly record struct QueueDeclared(Queue Queue, int MessageCount, int ConsumerCount);

    /// <summary>
    /// Declares a queue (a server-generated name when <paramref name="name"/> is empty), or checks
    /// an existing one is equivalent. <paramref name="connection"/> identifies the declaring
    /// connection; exclusive queues belong to it.
    /// </summary>
    /// <remarks><paramref name="serverNamed"/>: the caller generated the name with <see cref="GenerateName"/> (to check permissions on it first), so its amq.gen- prefix is allowed.</remarks>
    public QueueDeclared DeclareQueue(string name, QueueSettings settings, bool passive, object? connection, bool serverNamed = false)
    {
        if (passive)
        {
            var found = GetQueue(name, connection);
            found.MarkUsed();
            return new QueueDeclared(found, found.MessageCount, found.ConsumerCount);
        }
        if (name.Length == 0) name = GenerateName("amq.gen-");
        else if (!serverNamed && name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            throw new BrokerException(BrokerError.AccessRefused, $"queue name '{name}' contains reserved prefix 'amq.*'");
        }
        lock (_topology)
        {
            if (_queues.TryGetValue(name, out var existing))
            {
                CheckOwner(existing, connection);
                existing.MarkUsed();
                var what = $"for queue '{name}' in vhost '{Name}'";
                var current = existing.Settings;
                if (current.Durable != settings.Durable) throw Inequivalent("durable", what, settings.Durable, current.Durable);
                if (current.AutoDelete != settings.AutoDelete) throw Inequivalent("auto_delete", what, settings.AutoDelete, current.AutoDelete);
                if (current.Exclusive != settings.Exclusive) throw Inequivalent("exclusive", what, settings.Exclusive, current.Exclusive);
                CheckArguments(what, settings.Arguments, current.Arguments, QueueArgumentKeys);
                return new QueueDeclared(existing, existing.MessageCount, existing.ConsumerCount);
            }
            var arguments = QueueArguments.Parse(settings.Arguments, name, Name, settings.Durable);
            CheckQueueLimitLocked(name);
            var queue = new Queue(name, this, settings, arguments, settings.Exclusive ? connection : null, OpenStore(name, settings));
            ApplyPolicies(queue);
            _queues[name] = queue;
            _queuesDeclared++;
            LogQueueDeclared(queue);
            return new QueueDeclared(queue, 0, 0);
        }
    }

    /// <summary>
    /// Creates a transient, exclusive, auto-delete queue with a reserved (amq.*) name for the
    /// broker's own use, such as a direct reply-to address.
    /// </summary>
    public Queue DeclareInternalQueue(string name, object connection)
    {
        var settings = new QueueSettings(Durable: false, Exclusive: true, AutoDelete: true, Arguments: null);
        lock (_topology)
        {
            var queue = new Queue(name, this, settings, QueueArguments.None, connection);
            if (!_queues.TryAdd(name, queue)) throw new BrokerException(BrokerError.ResourceLocked, $"queue '{name}' in vhost '{Name}' already exists");
            return queue;
        }
    }

    /// <summary>A name such as amq.gen-JzTY20BRgKO-HjmUJj0wLg, unique in practice.</summary>
    public static string GenerateName(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Deletes a queue; returns the number of ready messages it held. A missing queue is not an error (RabbitMQ).</summary>
    public int DeleteQueue(string name, bool ifUnused, bool ifEmpty, object? connection)
    {
        Consumer[] consumers;
        int messages;
        lock (_topology)
        {
            if (!_queues.TryGetValue(name, out var queue)) return 0;
            CheckOwner(queue, connection);
            if (ifUnused && queue.ConsumerCount > 0) throw new BrokerException(BrokerError.PreconditionFailed, $"queue '{name}' in vhost '{Name}' in use");
            if (ifEmpty && queue.MessageCount > 0) throw new BrokerException(BrokerError.PreconditionFailed, $"queue '{name}' in vhost '{Name}' not empty");
            (messages, consumers) = RemoveQueueLocked(queue);
        }
        foreach (var consumer in consumers) consumer.OnCancelledByBroker();
        return messages;
    }

    /// <summary>Deletes a queue whose time has come (auto-delete after its last consumer, exclusive at its connection's close).</summary>
    public void DeleteQueue(Queue queue)
    {
        Consumer[] consumers;
        lock (_topology)
        {
            if (!_queues.TryGetValue(queue.Name, out var current) || !ReferenceEquals(current, queue)) return;
            (_, consumers) = RemoveQueueLocked(queue);
        }
        foreach (var consumer in consumers) consumer.OnCancelledByBroker();
    }

    private (int, Consumer[]) RemoveQueueLocked(Queue queue)
    {
        _queues.TryRemove(queue.Name, out _);
        _queuesDeleted++;
        foreach (var binding in queue.IncomingBindings.ToArray()) RemoveBindingLocked(binding);
        LogQueueDeleted(queue);
        return queue.MarkDeleted();
    }

    /// <summary>Deletes every queue (with its messages) and exchange, as when the virtual host itself is deleted.</summary>
    internal void DeleteAll()
    {
        var cancelled = new List<Consumer>();
        lock (_topology)
        {
            foreach (var queue in _queues.Values) cancelled.AddRange(RemoveQueueLocked(queue).Item2);
            foreach (var exchange in _exchanges.Values)
            {
                if (exchange.Name.Length > 0) RemoveExchangeLocked(exchange);
            }
        }
        foreach (var consumer in cancelled) consumer.OnCancelledByBroker();
    }

    /// <summary>Purges a queue; returns the number of messages dropped.</summary>
    public int PurgeQueue(string name, object? connection) => GetQueue(name, connection).Purge();

    /// <summary>Binds a queue to an exchange. Binding twice is a no-op.</summary>
    public void BindQueue(string queueName, string exchangeName, string routingKey, IReadOnlyDictionary<string, object?>? arguments, object? connection)
    {
        lock (_topology)
        {
            var queue = GetQueue(queueName, connection);
            var exchange = GetBindableExchange(exchangeName);
            AddBindingLocked(new Binding(exchange, queue, routingKey, arguments));
        }
    }

    /// <summary>Removes a queue binding; a missing binding is not an error (RabbitMQ).</summary>
    public void UnbindQueue(string queueName, string exchangeName, string routingKey, IReadOnlyDictionary<string, object?>? arguments, object? connection)
    {
        lock (_topology)
        {
            var queue = GetQueue(queueName, connection);
            var exchange = GetBindableExchange(exchangeName);
            var removed = exchange.RemoveBinding(queue, routingKey, arguments);
            if (removed is not null) AfterUnbindLocked(removed);
        }
    }

    /// <summary>Binds exchange <paramref name="destinationName"/> to <paramref name="sourceName"/>.</summary>
    public void BindExchange(string destinationName, string sourceName, string routingKey, IReadOnlyDictionary<string, object?>? arguments)
    {
        lock (_topology)
        {
            var destination = GetBindableExchange(destinationName);
            var source = GetBindableExchange(sourceName);
            AddBindingLocked(new Binding(source, destination, routingKey, arguments));
        }
    }

    /// <summary>Removes an exchange-to-exchange binding.</summary>
    public void UnbindExchange(string destinationName, string sourceName, string routingKey, IReadOnlyDictionary<string, object?>? arguments)
    {
        lock (_topology)
        {
            var destination = GetBindableExchange(destinationName);
            var source = GetBindableExchange(sourceName);
            var removed = source.RemoveBinding(destination, routingKey, arguments);
            if (removed is not null) AfterUnbindLocked(removed);
        }
    }

    private Exchange GetBindableExchange(string name)
    {
        if (name.Length == 0) throw new BrokerException(BrokerError.AccessRefused, "operation not permitted on the default exchange");
        return GetExchange(name);
    }

    private void AddBindingLocked(Binding binding)
    {
        if (binding.Source is HeadersExchange && binding.Arguments is not null && binding.Arguments.TryGetValue("x-match", out var xMatch)
            && !HeadersMatch.IsValidXMatch(xMatch, out var error))
        {
            throw new BrokerException(BrokerError.PreconditionFailed, error ?? "invalid x-match field value");
        }
        if (!binding.Source.AddBinding(binding)) return;
        binding.Destination.IncomingBindings.Add(binding);
        LogBinding(binding, added: true);
    }

    private void RemoveBindingLocked(Binding binding)
    {
        if (binding.Source.RemoveBinding(binding.Destination, binding.RoutingKey, binding.Arguments) is not null) AfterUnbindLocked(binding);
    }

    private void AfterUnbindLocked(Binding binding)
    {
        binding.Destination.IncomingBindings.Remove(binding);
        LogBinding(binding, added: false);
        var source = binding.Source;
        if (source.Settings.AutoDelete && source.BindingCount == 0 && _exchanges.TryGetValue(source.Name, out var current) && ReferenceEquals(current, source))
        {
            RemoveExchangeLocked(source);
        }
    }
}
