using System.Net;
using Warren.Broker.Security;
using Xunit;

namespace Warren.Broker.Tests.Security;

public sealed class LoginFailuresTests
{
    private static readonly IPAddress Attacker = IPAddress.Parse("192.0.2.7");

    [Fact]
    public void The_first_failures_are_answered_at_once_then_the_delay_doubles_up_to_the_bound()
    {
        var failures = new LoginFailures();

        var delays = Enumerable.Range(0, 10).Select(i => failures.Record(Attacker, nowTicks: 1000 + i).Delay.TotalMilliseconds).ToArray();

        Assert.Equal([0, 0, 0, 250, 500, 1000, 2000, 4000, 5000, 5000], delays);
    }

    [Fact]
    public void Failures_from_one_address_do_not_slow_another()
    {
        var failures = new LoginFailures();
        for (var i = 0; i < 8; i++) failures.Record(Attacker, nowTicks: 1000);

        Assert.Equal(TimeSpan.Zero, failures.Record(IPAddress.Parse("192.0.2.8"), nowTicks: 1000).Delay);
        Assert.Equal(TimeSpan.Zero, failures.Record(IPAddress.Parse("::ffff:192.0.2.8"), nowTicks: 1000).Delay);
        Assert.Equal(3, failures.Record(IPAddress.Parse("::ffff:192.0.2.8"), nowTicks: 1000).Failures);
    }

    [Fact]
    public void An_address_is_forgiven_after_a_quiet_window()
    {
        var failures = new LoginFailures();
        for (var i = 0; i < 8; i++) failures.Record(Attacker, nowTicks: 1000);

        var later = failures.Record(Attacker, nowTicks: 1000 + (long)failures.Window.TotalMilliseconds + 1);

        Assert.Equal((TimeSpan.Zero, 1), later);
    }
}
