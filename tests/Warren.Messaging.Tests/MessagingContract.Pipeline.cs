using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Warren.Messaging.Tests;

// Filters around sending and handling, and custom headers.
public abstract partial class MessagingContract<TTransport>
{
    [Fact]
    public async Task Filters_run_in_registration_order_around_sending_and_around_the_handler()
    {
        var service = await StartAsync(Unique("pipeline"), o => o.AddHandler<PipelineCommandHandler>().AddFilter(new TraceFilter("outer")).AddFilter(new TraceFilter("inner")));
        var id = Unique("order");

        await service.Bus.SendAsync(new PipelineCommand(id));
        await service.Recorder.WaitForHandledAsync<PipelineCommand>(c => c.Id == id, Wait);

        // The handler may run before the sender's confirm comes back: each side's order is what counts.
        var trail = Trails.Of(id).ToList();
        Assert.Equal(["send outer> Command test.pipeline", "send inner> Command test.pipeline", "send <inner sent=True", "send <outer sent=True"],
            trail.Where(step => step.StartsWith("send ", StringComparison.Ordinal)));
        Assert.Equal(["outer>", "inner>", "handler", "<inner", "<outer"], trail.Where(step => !step.StartsWith("send ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Custom_headers_set_when_sending_are_read_by_handlers_of_every_pattern()
    {
        var service = await StartAsync(Unique("headers"), o => o.AddHandler<PipelineCommandHandler>().AddHandler<PipelineRequestHandler>());
        var (command, request) = (Unique("command"), Unique("request"));

        await service.Bus.SendAsync(new PipelineCommand(command), new SendOptions().WithHeader("tenant", "acme"));
        var reply = await service.Bus.RequestAsync(new PipelineRequest(request), new SendOptions().WithHeader("tenant", "globex"), Wait);

        await service.Recorder.WaitForHandledAsync<PipelineCommand>(c => c.Id == command, Wait);
        Assert.Equal(["handler tenant=acme"], Trails.Of(command));
        Assert.Equal(["request tenant=globex"], Trails.Of(request));
        Assert.Equal(request, reply.Id);
        var context = service.Recorder.Handled.Single(r => r.Message is PipelineCommand c && c.Id == command).Context!;
        Assert.Equal("acme", context.Headers["tenant"]);
    }

    [Fact]
    public async Task A_tenancy_filter_fills_a_scoped_service_and_carries_the_tenant_onto_what_handlers_send()
    {
        var service = await StartAsync(Unique("tenancy"),
            o => o.AddHandler<PipelineEventHandler>().AddHandler<PipelineFollowUpHandler>().AddFilter<TenancyFilter>(),
            services => services.AddScoped<TenantScope>());
        var id = Unique("flow");

        await service.Bus.PublishAsync(new PipelineEvent(id), new SendOptions().WithHeader("tenant", "initech"));

        await service.Recorder.WaitForHandledAsync<PipelineFollowUp>(c => c.Id == id, Wait);
        Assert.Equal(["event tenant=initech", "follow-up tenant=initech"], Trails.Of(id));
    }

    [Fact]
    public async Task A_handle_filter_that_does_not_call_next_skips_the_handler_and_may_answer_a_request_itself()
    {
        var service = await StartAsync(Unique("skipping"), o => o.AddHandler<PipelineCommandHandler>().AddHandler<PipelineRequestHandler>().AddFilter<SkippingFilter>());
        var (skipped, handled, request) = (Unique("skipped"), Unique("handled"), Unique("request"));

        await service.Bus.SendAsync(new PipelineCommand(skipped), new SendOptions().WithHeader("skip", "yes"));
        await service.Bus.SendAsync(new PipelineCommand(handled));
        var reply = await service.Bus.RequestAsync(new PipelineRequest(request), new SendOptions().WithHeader("skip", "yes"), Wait);

        await service.Recorder.WaitForHandledAsync<PipelineCommand>(c => c.Id == handled, Wait);
        await service.Recorder.WaitForHandledAsync<PipelineCommand>(c => c.Id == skipped, Wait);
        Assert.Equal(["skipped"], Trails.Of(skipped));
        Assert.Equal(["handler"], Trails.Of(handled));
        Assert.Equal(new PipelineReply(request, "filter"), reply);
        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task A_send_filter_that_does_not_call_next_holds_the_message_back_and_a_held_request_fails_at_once()
    {
        var service = await StartAsync(Unique("holding"), o => o.AddHandler<PipelineCommandHandler>().AddHandler<PipelineRequestHandler>().AddFilter<SkippingFilter>());
        var (held, sent, request) = (Unique("held"), Unique("sent"), Unique("request"));

        await service.Bus.SendAsync(new PipelineCommand(held), new SendOptions().WithHeader("hold", "yes"));
        await service.Bus.SendAsync(new PipelineCommand(sent));
        var error = await Assert.ThrowsAsync<MessageNotSentException>(() => service.Bus.RequestAsync(new PipelineRequest(request), new SendOptions().WithHeader("hold", "yes"), TimeSpan.FromSeconds(60)));

        await service.Recorder.WaitForHandledAsync<PipelineCommand>(c => c.Id == sent, Wait);
        Assert.Equal("test.pipeline-request", error.MessageName);
        Assert.DoesNotContain(service.Recorder.Sent, r => r.Message is PipelineCommand c && c.Id == held);
        Assert.Empty(Trails.Of(held));
        Assert.Equal(0, service.Bus.PendingRequests);
    }

    [Fact]
    public async Task Headers_named_like_Warrens_own_are_refused()
    {
        var service = await StartAsync(Unique("reserved"), o => o.AddHandler<PipelineCommandHandler>());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => service.Bus.SendAsync(new PipelineCommand(Unique("x")), new SendOptions().WithHeader(WarrenHeaders.ConversationId, "forged")));

        Assert.Contains("warren-", error.Message);
    }
}
