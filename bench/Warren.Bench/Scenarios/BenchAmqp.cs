using System.Buffers.Binary;
using System.Diagnostics;
using RabbitMQ.Client;

namespace Warren.Bench.Scenarios;

/// <summary>What every scenario shares: connections, names, timestamped bodies.</summary>
internal static class BenchAmqp
{
    /// <summary>A factory without automatic recovery: a broken connection is a failed run, not a pause.</summary>
    public static ConnectionFactory Factory(Uri uri, string name) => new()
    {
        Uri = uri,
        AutomaticRecoveryEnabled = false,
        TopologyRecoveryEnabled = false,
        ClientProvidedName = name,
    };

    /// <summary>A name no other run uses, so runs never see each other's messages.</summary>
    public static string UniqueName(string scenario) => $"bench-{scenario}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <summary>Writes the send time (a <see cref="Stopwatch"/> timestamp of this process) in the first 8 bytes.</summary>
    public static void Stamp(Span<byte> body) => BinaryPrimitives.WriteInt64LittleEndian(body, Stopwatch.GetTimestamp());

    /// <summary>The send time written by <see cref="Stamp"/>.</summary>
    public static long ReadStamp(ReadOnlySpan<byte> body) => body.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(body) : 0;

    /// <summary>Waits until it is time to send message number <paramref name="sent"/> at <paramref name="rate"/> per second (0: no wait).</summary>
    public static async ValueTask PaceAsync(double rate, long sent, long startTimestamp, CancellationToken cancellationToken)
    {
        if (rate <= 0) return;
        double due = sent / rate;
        double ahead = due - Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        // Sleep only when more than a timer tick ahead; short bursts keep the average exact.
        if (ahead > 0.002) await Task.Delay(TimeSpan.FromSeconds(ahead), cancellationToken);
    }

    /// <summary>Disposes channels and connections, ignoring a broker that is already gone.</summary>
    public static async Task CloseAllAsync(IEnumerable<IAsyncDisposable> resources)
    {
        foreach (var resource in resources.Reverse())
        {
            try
            {
                await resource.DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Closing after a failure: the first error is the one worth reporting.
            }
        }
    }
}
