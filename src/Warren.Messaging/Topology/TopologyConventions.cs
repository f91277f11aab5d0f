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
/// <item>per-instance handlers (<see cref="WarrenOptions.AddInstanceHandler{THandler}"/>) →
/// <c>&lt;service&gt;.instance.&lt;instance&gt;</c> (exclusive, auto-delete), bound like the service
/// queue, so every instance gets its own copy.</item>
/// </list>
/// With <see cref="WarrenOptions.SystemPrefix"/> every exchange and queue name starts with the
/// prefix and a dot (<see cref="TopologyNames"/>).
/// </summary>
public static class TopologyConventions
{
    /// <summary>The error queue of a service.</summary>
    public static string ErrorQueue(string service) => service + ".error";

    /// <summary>The reply queue of one instance.</summary>
    public static string ReplyQueue(string service, string instance) => $"{service}.reply.{instance}";

    /// <summary>The queue of one instance for its per-instance events and requests.</summary>
    public static string InstanceQueue(string service, string instance) => $"{service}.instance.{instance}";

    /// <summary>The queue that owns a command.</summary>
    public static string CommandQueue(string commandName) => commandName;

    /// <summary>The retry queue that holds messages of <paramref name="queue"/> for <paramref name="delay"/>.</summary>
    public static string RetryQueue(string queue, TimeSpan delay) => $"{queue}.retry.{(long)delay.TotalMilliseconds}";

    /// <summary>The plan for a service as configured.</summary>
    public static TopologyPlan PlanFor(WarrenOptions options)
    {
        var names = new TopologyNames(options.SystemPrefix);
        var service = options.ServiceName;
        var serviceQueue = names.ServiceQueue(service);
        var instanceQueue = names.InstanceQueue(service, options.InstanceId);
        var events = names.Exchange(options.EventsExchange);
        var requests = names.Exchange(options.RequestsExchange);
        var exchanges = new List<ExchangePlan>
        {
            new(events, "topic", true),
            new(requests, "topic", true),
        };
        var queues = new List<QueuePlan>();
        var bindings = new List<BindingPlan>();
        var serviceQueueNeeded = false;
        var instanceQueueNeeded = false;
        foreach (var handler in options.Handlers)
        {
            var target = handler.PerInstance ? instanceQueue : serviceQueue;
            switch (handler.Intent)
            {
                case MessageIntent.Event:
                    if (handler.PerInstance) instanceQueueNeeded = true;
                    else serviceQueueNeeded = true;
                    AddOnce(bindings, new BindingPlan(events, target, handler.Topic));
                    break;
                case MessageIntent.Request:
                    if (handler.PerInstance) instanceQueueNeeded = true;
                    else serviceQueueNeeded = true;
                    AddOnce(bindings, new BindingPlan(requests, target, handler.MessageName));
                    break;
                case MessageIntent.Command:
                    var queue = names.CommandQueue(handler.MessageName);
                    if (!queues.Exists(q => q.Name == queue)) queues.Add(new QueuePlan(queue, true, false, false, $"command {handler.MessageName}, owned by {service}"));
                    break;
            }
        }
        if (serviceQueueNeeded) queues.Insert(0, new QueuePlan(serviceQueue, true, false, false, $"events and requests for {service}, shared by its instances"));
        queues.Add(new QueuePlan(names.ErrorQueue(service), true, false, false, "messages that failed every retry"));
        queues.Add(new QueuePlan(names.ReplyQueue(service, options.InstanceId), false, true, true, "replies to this instance's requests"));
        if (instanceQueueNeeded) queues.Add(new QueuePlan(instanceQueue, false, true, true, "events and requests every instance of " + service + " gets"));
        return new TopologyPlan(exchanges, queues, bindings);
    }

    private static void AddOnce(List<BindingPlan> bindings, BindingPlan binding)
    {
        if (!bindings.Contains(binding)) bindings.Add(binding);
    }
}
