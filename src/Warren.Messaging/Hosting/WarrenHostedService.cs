using Microsoft.Extensions.Hosting;

namespace Warren.Messaging.Hosting;

/// <summary>Starts the bus with the host and stops it gracefully (draining in-flight messages) when the host stops.</summary>
internal sealed class WarrenHostedService(WarrenBus bus) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => bus.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => bus.StopAsync(cancellationToken);
}
