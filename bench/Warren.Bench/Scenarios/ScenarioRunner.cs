using Warren.Bench.Measuring;

namespace Warren.Bench.Scenarios;

/// <summary>Runs the scenario a <see cref="BenchSettings"/> names.</summary>
public static class ScenarioRunner
{
    public static Task<RunResult> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        settings.Validate();
        return settings.Scenario switch
        {
            "transient" or "fanout" or "competing" or "persistent" => FlowScenario.RunAsync(settings, cancellationToken),
            "rpc" => RpcScenario.RunAsync(settings, cancellationToken),
            "backlog" => BacklogScenario.RunAsync(settings, cancellationToken),
            "connections" => ConnectionsScenario.RunAsync(settings, cancellationToken),
            "library" => LibraryScenario.RunAsync(settings, cancellationToken),
            _ => throw new ArgumentException($"--scenario: unknown '{settings.Scenario}'"),
        };
    }
}
