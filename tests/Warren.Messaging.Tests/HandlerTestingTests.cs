using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Warren.Messaging.Configuration;
using Warren.Messaging.Testing;
using Warren.Messaging.Transports.Amqp;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>Handlers called directly in unit tests, and options read from configuration.</summary>
public sealed class HandlerTestingTests
{
    [Fact]
    public async Task A_handler_runs_with_a_test_context_and_what_it_sends_is_recorded()
    {
        var bus = new TestMessageBus();
        var context = TestMessageContext.For<PipelineEvent>(bus, headers: new Dictionary<string, string> { ["tenant"] = "acme" }, attempt: 2);

        await new PipelineEventHandler().HandleAsync(new PipelineEvent("t1"), context);

        Assert.Equal(new PipelineFollowUp("t1"), Assert.Single(bus.Sent));
        Assert.Equal(["event tenant=acme"], Trails.Of("t1"));
        Assert.Equal("test.pipeline-event", context.MessageName);
        Assert.Equal(context.MessageId, context.ConversationId);
        Assert.Equal(2, context.Attempt);
    }

    [Fact]
    public async Task A_handler_that_makes_a_request_gets_the_test_buses_answer()
    {
        var bus = new TestMessageBus().Respond<CheckStock, StockLevel>(c => new StockLevel(c.Sku, 3, "fake"));

        var level = await new NestedHandler().HandleAsync(new NestedRequest("fig"), TestMessageContext.For<NestedRequest>(bus));

        Assert.Equal(30, level.Quantity);
        Assert.Equal(new CheckStock("fig"), Assert.Single(bus.Requested));
    }

    [Fact]
    public void Options_are_read_from_configuration_and_code_changes_them_after()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Warren:ServiceName"] = "billing",
            ["Warren:Uri"] = "amqp://guest:guest@rabbit:5672/",
            ["Warren:Prefetch"] = "64",
            ["Warren:SystemPrefix"] = "shop",
            ["Warren:QueueType"] = "quorum",
            ["Warren:Retries:Immediate"] = "1",
            ["Warren:Retries:Delays:0"] = "00:00:05",
            ["Warren:Retries:Delays:1"] = "00:00:30",
            ["Warren:StartupTimeout"] = "00:05:00",
        }).Build();
        var services = new ServiceCollection();

        services.AddWarren(configuration.GetSection("Warren"), o => o.Concurrency = 8);

        var options = services.BuildServiceProvider().GetRequiredService<WarrenOptions>();
        Assert.Equal("billing", options.ServiceName);
        Assert.Equal(64, options.Prefetch);
        Assert.Equal(8, options.Concurrency);
        Assert.Equal("shop", options.SystemPrefix);
        Assert.Equal(1, options.Retries.Immediate);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)], options.Retries.Delays);
        Assert.Equal(new Uri("amqp://guest:guest@rabbit:5672/"), options.Amqp.Uri);
        Assert.Equal("quorum", options.Amqp.QueueType);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Amqp.StartupTimeout);
        Assert.IsType<AmqpTransport>(options.TransportFactory!(services.BuildServiceProvider()));
    }

    [Fact]
    public void Code_that_calls_UseAmqp_keeps_the_configured_transport_settings()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["QueueType"] = "quorum", ["ServiceName"] = "x" }).Build();
        var options = new WarrenOptions().Bind(configuration);

        options.UseAmqp("amqp://guest:guest@other:5672/");

        Assert.Equal("quorum", options.Amqp.QueueType);
        Assert.Equal("other", options.Amqp.Uri.Host);
    }

    [Theory]
    [InlineData("Prefetch", "lots", "Configuration key 'Warren:Prefetch': 'lots' is not a valid UInt16.")]
    [InlineData("Uri", "http://x/", "Configuration key 'Warren:Uri': 'http://x/' is not an amqp:// or amqps:// URI.")]
    [InlineData("Prefech", "1", "Configuration key 'Warren:Prefech' is not a Warren option")]
    public void A_configuration_value_that_does_not_parse_fails_naming_its_key(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Warren:" + key] = value }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => new WarrenOptions().Bind(configuration.GetSection("Warren")));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void A_command_handler_cannot_be_per_instance()
    {
        var options = new WarrenOptions { ServiceName = "s" }.UseInProcess().AddInstanceHandler<ShipOrderHandler>();

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.Contains("AddInstanceHandler", error.Message);
    }
}
