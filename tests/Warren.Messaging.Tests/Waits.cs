using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>Bounded waits shared by the test classes.</summary>
public static class Waits
{
    /// <summary>How long a test waits for something that should happen at once: generous, for a loaded machine.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()));

    /// <summary>Polls a condition that has no event to wait on (a counter, a queue's contents), bounded.</summary>
    public static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The condition did not become true in time.");
            await Task.Delay(25);
        }
    }
}
