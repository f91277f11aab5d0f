using System.Text;

namespace Warren.Messaging.Topology;

/// <summary>An exchange to declare.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">topic, direct, fanout or headers.</param>
/// <param name="Durable">Survives a broker restart.</param>
public sealed record ExchangePlan(string Name, string Type, bool Durable);

/// <summary>A queue to declare.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Durable">Survives a broker restart.</param>
/// <param name="Exclusive">Owned by this connection (reply queues).</param>
/// <param name="AutoDelete">Deleted when its last consumer leaves.</param>
/// <param name="Purpose">Why it exists, for the printed plan.</param>
/// <param name="Arguments">Declaration arguments (x-message-ttl, x-dead-letter-exchange, x-queue-type, …).</param>
public sealed record QueuePlan(string Name, bool Durable, bool Exclusive, bool AutoDelete, string Purpose, IReadOnlyDictionary<string, object?>? Arguments = null);

/// <summary>A binding of a queue to an exchange.</summary>
/// <param name="Exchange">The source exchange.</param>
/// <param name="Queue">The destination queue.</param>
/// <param name="RoutingKey">The binding key (topic patterns allowed on topic exchanges).</param>
public sealed record BindingPlan(string Exchange, string Queue, string RoutingKey);

/// <summary>
/// The exchanges, queues and bindings one service instance declares. Declaring is idempotent;
/// <see cref="ToString"/> prints the plan for people.
/// </summary>
/// <param name="Exchanges">Exchanges.</param>
/// <param name="Queues">Queues.</param>
/// <param name="Bindings">Bindings.</param>
public sealed record TopologyPlan(IReadOnlyList<ExchangePlan> Exchanges, IReadOnlyList<QueuePlan> Queues, IReadOnlyList<BindingPlan> Bindings)
{
    /// <summary>Nothing to declare.</summary>
    public static TopologyPlan Empty { get; } = new([], [], []);

    /// <summary>A readable listing, one entity a line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine("exchanges:");
        foreach (var exchange in Exchanges) text.AppendLine($"  {exchange.Name} ({exchange.Type}{(exchange.Durable ? ", durable" : "")})");
        text.AppendLine("queues:");
        foreach (var queue in Queues)
        {
            var flags = new List<string>();
            if (queue.Durable) flags.Add("durable");
            if (queue.Exclusive) flags.Add("exclusive");
            if (queue.AutoDelete) flags.Add("auto-delete");
            if (queue.Arguments is not null) foreach (var (key, value) in queue.Arguments) flags.Add($"{key}={value}");
            text.AppendLine($"  {queue.Name} ({string.Join(", ", flags)}) — {queue.Purpose}");
        }
        text.AppendLine("bindings:");
        foreach (var binding in Bindings) text.AppendLine($"  {binding.Exchange} --[{binding.RoutingKey}]--> {binding.Queue}");
        return text.ToString();
    }
}
