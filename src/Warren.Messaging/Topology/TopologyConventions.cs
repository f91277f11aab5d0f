using Warren.Messaging.Configuration;

namespace Warren.Messaging.Topology;

/// <summary>
/// Warren's naming conventions, in one place:
/// <list type="bullet">
/// <item>events → topic exchange <c>warren.events</c>, routing key = event name; each subscribing
/// service has one durable queue named after the service, bound with the names (or patterns) of
/// the events it handles; instances of a service share that queue;</item>
/// <item>commands → a durable queue named after the command, owned by the service that handles it,
/// sent through the default exchange with mandatory set (no owner → error at once);</item>
/// <item>requests → topic exchange <c>warren.requests</c>, routing key = request name, mandatory;
/// responding services bind their service queue; replies go through the default exchange to the
/// requesting instance's reply queue <c>&lt;service&gt;.reply.&lt;instance&gt;</c> (exclusive,
/// auto-delete, declared once at start), matched by correlation id;</item>
/// <item>failures → <c>&lt;service&gt;.error</c>; delayed retries → <c>&lt;queue&gt;.retry.&lt;ms&gt;</c>
/// (message TTL, dead-lettered back to the queue).</item>
/// </list>
/// </summary>
public static class TopologyConventions
{
    /// <summary>The error queue of a service.</summary>
    public static string ErrorQueue(string service) => service + ".error";

    /// <summary>The reply queue of one instance.</summary>
    public static string ReplyQueue(string service, string instance) => $"{service}.reply.{instance}";

    /// <summary>The queue that owns a command.</summary>
    public static string CommandQueue(string commandName) => commandName;

    /// <summary>The retry queue that holds messages of <paramref name="queue"/> for <paramref name="delay"/>.</summary>
    public static string RetryQueue(string queue, TimeSpan delay) => $"{queue}.retry.{(long)delay.TotalMilliseconds}";

    /// <summary>The plan for a service as configured.</summary>
    public static TopologyPlan PlanFor(WarrenOptions options)
    {
        var service = options.ServiceName;
        var exchanges = new List<ExchangePlan>
        {
            new(options.EventsExchange, "topic", true),
            new(options.RequestsExchange, "topic", true),
        };
        var queues = new List<QueuePlan>();
        var bindings = new List<BindingPlan>();
        var serviceQueueNeeded = false;
        foreach (var handler in options.Handlers)
        {
            switch (handler.Intent)
            {
                case MessageIntent.Event:
                    serviceQueueNeeded = true;
                    AddOnce(bindings, new BindingPlan(options.EventsExchange, service, handler.Topic));
                    break;
                case MessageIntent.Request:
                    serviceQueueNeeded = true;
                    AddOnce(bindings, new BindingPlan(options.RequestsExchange, service, handler.MessageName));
                    break;
                case MessageIntent.Command:
                    var queue = CommandQueue(handler.MessageName);
                    if (!queues.Exists(q => q.Name == queue)) queues.Add(new QueuePlan(queue, true, false, false, $"command {handler.MessageName}, owned by {service}"));
                    break;
            }
        }
        if (serviceQueueNeeded) queues.Insert(0, new QueuePlan(service, true, false, false, $"events and requests for {service}, shared by its instances"));
        queues.Add(new QueuePlan(ErrorQueue(service), true, false, false, "messages that failed every retry"));
        queues.Add(new QueuePlan(ReplyQueue(service, options.InstanceId), false, true, true, "replies to this instance's requests"));
        return new TopologyPlan(exchanges, queues, bindings);
    }

    private static void AddOnce(List<BindingPlan> bindings, BindingPlan binding)
    {
        if (!bindings.Contains(binding)) bindings.Add(binding);
    }
}
