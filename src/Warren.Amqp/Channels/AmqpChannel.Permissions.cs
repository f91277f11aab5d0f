using Warren.Broker.Exchanges;
using Warren.Broker.Security;

namespace Warren.Amqp.Channels;

// Permission checks, RabbitMQ's rules (rabbit_channel): which permission each method needs on
// which resource. Checks come before the resource is looked up, so a refused user learns
// nothing about what exists (403 before 404), as in RabbitMQ.
internal sealed partial class AmqpChannel
{
    // The last exchange a publish was allowed to, and the permission version it was checked at:
    // a publisher pays a string comparison per message, not a lookup.
    private string? _writableExchange;
    private long _writableVersion = -1;

    private Session Session => _connection.Session!;

    private void CheckConfigure(ResourceKind kind, string name) => Session.CheckAccess(kind, name, AccessKind.Configure);

    private void CheckWrite(ResourceKind kind, string name) => Session.CheckAccess(kind, name, AccessKind.Write);

    private void CheckRead(ResourceKind kind, string name) => Session.CheckAccess(kind, name, AccessKind.Read);

    // RabbitMQ checks permissions on the default exchange under the name amq.default.
    private static string PermissionName(string exchange) => exchange.Length == 0 ? "amq.default" : exchange;

    private void CheckPublish(string exchange)
    {
        var version = _connection.UsersVersion;
        if (_writableVersion == version && string.Equals(_writableExchange, exchange, StringComparison.Ordinal)) return;
        CheckWrite(ResourceKind.Exchange, PermissionName(exchange));
        _writableExchange = exchange;
        _writableVersion = version;
    }

    // Topic permissions apply to topic exchanges only: the routing key of a publish (write) or the
    // key of a binding from the exchange (read).
    private void CheckTopic(Exchange exchange, string routingKey, AccessKind access)
    {
        if (exchange is TopicExchange) Session.CheckTopicAccess(exchange.Name, routingKey, access);
    }

    // A binding: write on the destination, read on the source (and the topic key), as rabbit_channel's binding_action.
    private void CheckBinding(ResourceKind destinationKind, string destination, string source, string routingKey)
    {
        CheckWrite(destinationKind, destination);
        CheckRead(ResourceKind.Exchange, PermissionName(source));
        if (source.Length > 0 && VirtualHost.TryGetExchange(source, out var exchange)) CheckTopic(exchange, routingKey, AccessKind.Read);
    }
}
