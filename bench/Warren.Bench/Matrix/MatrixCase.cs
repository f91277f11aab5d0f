namespace Warren.Bench.Matrix;

/// <summary>One line of the matrix: a scenario with its settings and the figures the summary shows.</summary>
/// <param name="FreshBrokers">Restart both brokers before each run: memory growth is only meaningful on a
/// process that has not already grown (a GC heap or Erlang's allocators keep what earlier runs freed).</param>
public sealed record MatrixCase(string Name, string Description, Func<BenchSettings, BenchSettings> Configure, IReadOnlyList<string> Highlights, bool FreshBrokers = false)
{
    /// <summary>The matrix in the order it runs; names are what <c>--cases</c> selects.</summary>
    public static IReadOnlyList<MatrixCase> All { get; } =
    [
        new("transient", "1 producer → 1 queue → 1 consumer, as fast as possible, prefetch 200, multi-ack",
            s => s with { Scenario = "transient" }, ["delivered_per_s", "broker_cpu_s_per_m", "client_cpu_us_per_msg"]),
        new("transient-5k", "the same at a fixed 5,000 msg/s: latency without queueing",
            s => s with { Scenario = "transient", Rate = 5000 }, ["latency_p50_us", "latency_p99_us", "broker_cpu_s_per_m"]),
        new("transient-lean", "transient with the lean client (raw socket, Warren's codec) on both sides: cheaper per message than RabbitMQ.Client, so the broker is more of the bound",
            s => s with { Scenario = "transient", Lean = true }, ["delivered_per_s", "broker_cpu_s_per_m", "client_cpu_us_per_msg"]),
        new("fanout", "1 producer → topic exchange → 4 queues (4 patterns) → 4 consumers",
            s => s with { Scenario = "fanout" }, ["delivered_per_s", "broker_cpu_s_per_m"]),
        new("fanout-lean", "fanout with the lean client",
            s => s with { Scenario = "fanout", Lean = true }, ["delivered_per_s", "broker_cpu_s_per_m"]),
        new("competing", "1 producer → 1 queue → 4 competing consumers",
            s => s with { Scenario = "competing" }, ["delivered_per_s", "fairness", "broker_cpu_s_per_m"]),
        new("persistent", "durable queue, persistent messages, publisher confirms (window 1,000), 1 consumer",
            s => s with { Scenario = "persistent" }, ["confirmed_per_s", "broker_cpu_s_per_m"]),
        new("rpc-1", "request/response, 1 request in flight",
            s => s with { Scenario = "rpc", InFlight = 1 }, ["round_trips_per_s", "rtt_p50_us", "rtt_p99_us", "broker_cpu_s_per_m"]),
        new("rpc-16", "request/response, 16 requests in flight",
            s => s with { Scenario = "rpc", InFlight = 16 }, ["round_trips_per_s", "rtt_p50_us", "rtt_p99_us", "broker_cpu_s_per_m"]),
        new("backlog", "publish N with no consumer, then drain",
            s => s with { Scenario = "backlog" }, ["publish_per_s", "drain_per_s", "bytes_per_queued_msg"], FreshBrokers: true),
        new("connections", "open N idle connections one by one (the matrix opens 500 by default: Debian's RabbitMQ starts with a soft limit of 1,024 open files, which it turns into ~832 sockets, and stops accepting past it)",
            s => s with { Scenario = "connections" }, ["connect_p99_us", "kb_per_connection"], FreshBrokers: true),
    ];
}

/// <summary>A goal of issue 4, as a median ratio Warren / RabbitMQ.</summary>
public sealed record Target(string Case, string Metric, string Goal, Func<double, bool> IsMet)
{
    public static IReadOnlyList<Target> All { get; } =
    [
        new("transient", "delivered_per_s", "≥ 2.5×", r => r >= 2.5),
        new("transient", "broker_cpu_s_per_m", "≤ 0.2×", r => r <= 0.2),
        new("transient-5k", "latency_p99_us", "≤ 0.5×", r => r <= 0.5),
        new("fanout", "delivered_per_s", "≥ 2.5×", r => r >= 2.5),
        new("rpc-1", "round_trips_per_s", "≥ 2×", r => r >= 2),
        new("rpc-1", "rtt_p99_us", "≤ 0.5×", r => r <= 0.5),
        new("rpc-16", "round_trips_per_s", "≥ 2×", r => r >= 2),
        new("rpc-16", "rtt_p99_us", "≤ 0.5×", r => r <= 0.5),
        new("backlog", "bytes_per_queued_msg", "≤ 0.2×", r => r <= 0.2),
        new("backlog", "drain_per_s", "≥ 2×", r => r >= 2),
        new("connections", "kb_per_connection", "≤ 0.5×", r => r <= 0.5),
    ];
}
