using Microsoft.Extensions.Logging;
using Warren.Broker.Resources;
using Xunit;

namespace Warren.Broker.Tests.Resources;

public sealed class ResourceMonitorTests
{
    [Fact]
    public void A_data_folder_that_does_not_exist_yet_is_measured_without_a_warning()
    {
        var missing = Path.Combine(Path.GetTempPath(), "warren-monitor-" + Guid.NewGuid().ToString("N"), "data");
        var logger = new WarningRecorder();

        using var monitor = new ResourceMonitor(new ResourceAlarms(), missing, diskFreeLimit: 1, memoryHighWatermark: 1.0, logger);

        Assert.Empty(logger.Warnings);
        Assert.False(Directory.Exists(missing));
        Assert.True(ResourceMonitor.FreeSpace(missing) > 0);
    }

    private sealed class WarningRecorder : ILogger
    {
        public List<string> Warnings { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning) lock (Warnings) Warnings.Add(formatter(state, exception) + " " + exception);
        }
    }
}
