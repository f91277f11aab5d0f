using Xunit;
using static Warren.Messaging.Tests.Waits;

namespace Warren.Messaging.Tests;

// Retry policies by exception, per message type and per handler.
public abstract partial class MessagingContract<TTransport>
{
    [Fact]
    public async Task An_exception_marked_never_to_retry_goes_to_the_error_queue_after_one_attempt()
    {
        var service = await StartAsync(Unique("noretry"), o =>
        {
            o.AddHandler<RetryHandler>();
            o.Retries.DoNotRetry<ArgumentException>();
        });
        var id = Unique("bad");

        await service.Bus.SendAsync(new RetryCommand(id, "argument", FailTimes: 100));

        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        var failed = Assert.Single(await service.Bus.PeekErrorsAsync());
        Assert.Equal(typeof(ArgumentException).FullName, failed.ExceptionType);
        Assert.Equal(1, failed.Attempts);
        Assert.Equal(1, Switches.Attempts[id]);
    }

    [Fact]
    public async Task An_exception_rule_gives_that_exception_more_attempts_than_the_others()
    {
        var service = await StartAsync(Unique("moreretries"), o =>
        {
            o.AddHandler<RetryHandler>();
            o.Retries.On<TimeoutException>(immediate: 5);
        });
        var (slow, broken) = (Unique("slow"), Unique("broken"));

        await service.Bus.SendAsync(new RetryCommand(slow, "timeout", FailTimes: 5));
        await service.Bus.SendAsync(new RetryCommand(broken, "invalid", FailTimes: 5));

        var handled = await service.Recorder.WaitForHandledAsync<RetryCommand>(c => c.Id == slow, Wait);
        Assert.Equal(6, service.Recorder.Handled.Single(r => r.Message == (object)handled).Context!.Attempt);
        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        Assert.Equal(3, Switches.Attempts[broken]);
    }

    [Fact]
    public async Task A_message_types_policy_applies_to_that_type_only()
    {
        var service = await StartAsync(Unique("bytype"), o =>
        {
            o.AddHandler<RetryHandler>().AddHandler<RetryOtherHandler>();
            o.RetriesFor<RetryOtherCommand>(r => r.Immediate = 0);
        });
        var (strict, lenient) = (Unique("strict"), Unique("lenient"));

        await service.Bus.SendAsync(new RetryOtherCommand(strict, "invalid", FailTimes: 1));
        await service.Bus.SendAsync(new RetryCommand(lenient, "invalid", FailTimes: 1));

        await service.Recorder.WaitForHandledAsync<RetryCommand>(c => c.Id == lenient, Wait);
        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        Assert.Equal(1, Switches.Attempts[strict]);
        Assert.Equal(2, Switches.Attempts[lenient]);
    }

    [Fact]
    public async Task A_handlers_policy_comes_before_its_message_types_and_the_global_one()
    {
        var service = await StartAsync(Unique("byhandler"), o =>
        {
            o.AddHandler<RetryHandler>();
            o.Retries.On<InvalidOperationException>(immediate: 4);
            o.RetriesFor<RetryCommand>(r => r.On<InvalidOperationException>(immediate: 3));
            o.RetriesForHandler<RetryHandler>(r => r.On<InvalidOperationException>(immediate: 1));
        });
        var id = Unique("handler");

        await service.Bus.SendAsync(new RetryCommand(id, "invalid", FailTimes: 100));

        await Eventually(async () => (await service.Bus.PeekErrorsAsync()).Count == 1);
        Assert.Equal(2, Switches.Attempts[id]);
        Assert.Equal(2, Assert.Single(await service.Bus.PeekErrorsAsync()).Attempts);
    }

    [Fact]
    public async Task A_request_whose_exception_is_never_retried_faults_after_one_attempt()
    {
        await StartAsync(Unique("responder"), o =>
        {
            o.AddHandler<RetryHandler>();
            o.Retries.DoNotRetry<ArgumentException>();
        });
        var shop = await StartAsync(Unique("shop"), _ => { });
        var id = Unique("ask");

        var fault = await Assert.ThrowsAsync<RequestFaultedException>(() => shop.Bus.RequestAsync(new RetryRequest(id, "argument"), Wait));

        Assert.Equal(typeof(ArgumentException).FullName, fault.RemoteExceptionType);
        Assert.Equal(1, Switches.Attempts[id]);
    }

    [Fact]
    public async Task An_exception_rule_with_delays_retries_after_its_delay_and_counts_every_attempt()
    {
        if (Transport.DelayedRetrySkipReason is { } reason) Assert.Skip(reason);
        var delay = TimeSpan.FromMilliseconds(400);
        var retryQueue = Topology.TopologyConventions.RetryQueue(MessageNames.Of<RetryCommand>(), delay);
        await Transport.DeleteAsync([retryQueue], []);
        _leftovers.Add(retryQueue);
        var service = await StartAsync(Unique("delays"), o =>
        {
            o.AddHandler<RetryHandler>();
            o.Retries.Immediate = 0;
            o.Retries.On<TimeoutException>(immediate: 1, delay);
        });
        var id = Unique("later");

        await service.Bus.SendAsync(new RetryCommand(id, "timeout", FailTimes: 2));

        var handled = await service.Recorder.WaitForHandledAsync<RetryCommand>(c => c.Id == id, Wait);
        Assert.Equal(3, service.Recorder.Handled.Single(r => r.Message == (object)handled).Context!.Attempt);
        Assert.Equal(3, Switches.Attempts[id]);
    }
}
