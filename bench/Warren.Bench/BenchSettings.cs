namespace Warren.Bench;

/// <summary>
/// Everything one scenario run needs. Counts left null take the scenario's own default
/// (fanout and competing have 4 consumers, the others 1).
/// </summary>
public sealed record BenchSettings
{
    /// <summary>The defaults of the command line.</summary>
    public static BenchSettings Default { get; } = new();

    /// <summary>Scenarios this tool knows, in the order the matrix runs them.</summary>
    public static IReadOnlyList<string> Scenarios { get; } = ["transient", "fanout", "competing", "persistent", "rpc", "backlog", "connections", "library"];

    public Uri Uri { get; init; } = new("amqp://guest:guest@127.0.0.1:5672/");
    public string Scenario { get; init; } = "transient";
    public double DurationSeconds { get; init; } = 10;
    public double WarmupSeconds { get; init; } = 3;
    public int MessageSize { get; init; } = 64;
    public int Producers { get; init; } = 1;
    public int? Consumers { get; init; }
    public ushort Prefetch { get; init; } = 200;

    /// <summary>Messages per second over all producers; 0 publishes as fast as the broker takes them.</summary>
    public double Rate { get; init; }

    /// <summary>Requests in flight (rpc).</summary>
    public int InFlight { get; init; } = 1;

    /// <summary>Publisher-confirm window (persistent).</summary>
    public int ConfirmWindow { get; init; } = 1000;

    /// <summary>Messages to queue up and drain (backlog).</summary>
    public int Messages { get; init; } = 1_000_000;

    /// <summary>Connections to open (connections).</summary>
    public int Connections { get; init; } = 1000;

    /// <summary>Producers and consumers of transient, fanout and competing use the lean client
    /// (a raw socket and Warren's codec) instead of RabbitMQ.Client.</summary>
    public bool Lean { get; init; }

    /// <summary>The broker's process id, for its CPU and memory; null measures the client side only.</summary>
    public int? BrokerPid { get; init; }

    /// <summary>A short name for the broker in tables (defaults to host:port).</summary>
    public string? BrokerName { get; init; }

    public string BrokerLabel => BrokerName ?? $"{Uri.Host}:{Uri.Port}";

    /// <summary>Throws with a message that names the option when a value is out of range.</summary>
    public void Validate()
    {
        if (!Scenarios.Contains(Scenario))
            throw new ArgumentException($"--scenario: '{Scenario}' is not one of {string.Join(", ", Scenarios)}.");
        if (DurationSeconds <= 0) throw new ArgumentException("--duration must be more than 0 seconds.");
        if (WarmupSeconds < 0) throw new ArgumentException("--warmup must be 0 seconds or more.");
        if (MessageSize is < 8 or > 128 * 1024 * 1024) throw new ArgumentException("--size must be 8 bytes (room for the timestamp) up to 128 MiB.");
        if (Producers < 1) throw new ArgumentException("--producers must be 1 or more.");
        if (Consumers is < 1) throw new ArgumentException("--consumers must be 1 or more.");
        if (Prefetch < 1) throw new ArgumentException("--prefetch must be 1 or more.");
        if (Rate < 0) throw new ArgumentException("--rate must be 0 (unlimited) or more.");
        if (InFlight < 1) throw new ArgumentException("--in-flight must be 1 or more.");
        if (ConfirmWindow < 1) throw new ArgumentException("--confirm-window must be 1 or more.");
        if (Messages < 1) throw new ArgumentException("--messages must be 1 or more.");
        if (Lean && Scenario is not ("transient" or "fanout" or "competing"))
            throw new ArgumentException("--lean: only transient, fanout and competing have a lean client.");
        if (Lean && MessageSize > 128 * 1024 - 8) throw new ArgumentException("--lean: --size must fit one frame (at most 131,064 bytes).");
        if (Connections < 1) throw new ArgumentException("--connections must be 1 or more.");
    }
}
