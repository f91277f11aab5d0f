using Warren.Broker.Exchanges;
using Warren.Broker.Queues;
using Warren.Broker.Routing;
using Warren.Broker.Storage;

namespace Warren.Broker.VirtualHosts;

// Durable definitions and persistent queues: what goes to the data folder, and recovery from it.
public sealed partial class VirtualHost
{
    private StorageEngine? _storage;

    /// <summary>Starts writing durable definitions and persistent messages to <paramref name="storage"/>. Called once recovery is done.</summary>
    internal void AttachStorage(StorageEngine storage) => _storage = storage;

    private static bool IsDurable(Destination destination) => destination switch
    {
        Queue queue => queue.Settings.Durable && !queue.Settings.Exclusive,
        Exchange exchange => exchange.Settings.Durable,
        _ => false,
    };

    private QueueStore? OpenStore(string name, QueueSettings settings) =>
        _storage is not null && settings.Durable && !settings.Exclusive ? _storage.OpenQueue(Name, name) : null;

    private void LogExchangeDeclared(Exchange exchange)
    {
        if (_storage is null || !exchange.Settings.Durable) return;
        _storage.Definitions.Append(new DefinitionRecord("exchange+", Name, exchange.Name)
        {
            Type = exchange.Type,
            AutoDelete = exchange.Settings.AutoDelete,
            Internal = exchange.Settings.Internal,
            Arguments = DefinitionRecord.EncodeArguments(exchange.Settings.Arguments),
        });
    }

    private void LogExchangeDeleted(Exchange exchange)
    {
        if (_storage is null || !exchange.Settings.Durable) return;
        _storage.Definitions.Append(new DefinitionRecord("exchange-", Name, exchange.Name));
    }

    private void LogQueueDeclared(Queue queue)
    {
        if (_storage is null || !IsDurable(queue)) return;
        _storage.Definitions.Append(new DefinitionRecord("queue+", Name, queue.Name)
        {
            AutoDelete = queue.Settings.AutoDelete,
            Arguments = DefinitionRecord.EncodeArguments(queue.Settings.Arguments),
        });
    }

    private void LogQueueDeleted(Queue queue)
    {
        if (_storage is null || !IsDurable(queue)) return;
        _storage.Definitions.Append(new DefinitionRecord("queue-", Name, queue.Name));
    }

    private void LogBinding(Binding binding, bool added)
    {
        if (_storage is null || !IsDurable(binding.Source) || !IsDurable(binding.Destination)) return;
        _storage.Definitions.Append(new DefinitionRecord(added ? "binding+" : "binding-", Name, binding.Source.Name)
        {
            Destination = binding.Destination.Name,
            DestinationIsQueue = binding.Destination is Queue,
            RoutingKey = binding.RoutingKey,
            Arguments = DefinitionRecord.EncodeArguments(binding.Arguments),
        });
    }

    /// <summary>Re-creates one durable definition at start. Bindings to entities that are gone are skipped.</summary>
    internal void Recover(DefinitionRecord record, StorageEngine storage, Microsoft.Extensions.Logging.ILogger logger)
    {
        var arguments = DefinitionRecord.DecodeArguments(record.Arguments);
        switch (record.Op)
        {
            case "exchange+":
                var exchange = Exchange.Create(record.Name, record.Type ?? ExchangeTypes.Direct,
                    new ExchangeSettings(true, record.AutoDelete, record.Internal, arguments));
                if (exchange is null) break;
                ApplyPolicies(exchange);
                _exchanges[record.Name] = exchange;
                break;
            case "queue+":
                var settings = new QueueSettings(true, false, record.AutoDelete, arguments);
                var store = storage.OpenQueue(Name, record.Name);
                var queue = new Queue(record.Name, this, settings, QueueArguments.Parse(arguments, record.Name, Name), owner: null, store);
                // Priority queues keep every message loaded (their order needs each message's priority).
                queue.Restore(store.Recover(logger, queue.Arguments.MaxPriority > 0 ? int.MaxValue : storage.MaxLoadedMessages), store.NextSequence);
                ApplyPolicies(queue);
                _queues[record.Name] = queue;
                break;
            case "binding+":
                if (!_exchanges.TryGetValue(record.Name, out var source) || record.Destination is null) break;
                Destination? destination = record.DestinationIsQueue
                    ? _queues.GetValueOrDefault(record.Destination)
                    : _exchanges.GetValueOrDefault(record.Destination);
                if (destination is null) break;
                var binding = new Binding(source, destination, record.RoutingKey ?? "", arguments);
                if (source.AddBinding(binding)) destination.IncomingBindings.Add(binding);
                break;
        }
    }

    /// <summary>Closes the files of persistent queues at shutdown.</summary>
    internal void CloseStores()
    {
        foreach (var queue in _queues.Values) queue.CloseStore();
    }
}
