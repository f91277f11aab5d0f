using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Warren.Messaging.Diagnostics;

/// <summary>
/// Healthy while the bus runs, its transport is connected and every consumer receives; Degraded
/// while connected but a consumer is not attached (connection recovery has not consumed its queue
/// again yet, or its queue was deleted); Unhealthy while disconnected or stopped. Register it with
/// <c>services.AddHealthChecks().AddCheck&lt;WarrenHealthCheck&gt;("warren")</c>.
/// </summary>
public sealed class WarrenHealthCheck(WarrenBus bus) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["service"] = bus.ServiceName,
            ["pendingRequests"] = bus.PendingRequests,
            ["unexpectedReplies"] = bus.UnexpectedReplies,
        };
        if (!bus.IsRunning) return Task.FromResult(HealthCheckResult.Unhealthy("The Warren bus is not running.", data: data));
        if (!bus.Transport.IsConnected)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"The {bus.Transport.Name} transport is disconnected (recovering).", data: data));
        }
        if (!bus.Transport.ConsumersAttached)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Connected ({bus.Transport.Name}), but not every queue is consumed yet (recovering).", data: data));
        }
        return Task.FromResult(HealthCheckResult.Healthy($"Connected ({bus.Transport.Name}).", data));
    }
}
