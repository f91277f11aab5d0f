using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Warren.Server.Cli;
using Xunit;

namespace Warren.Messaging.Tests;

/// <summary>
/// <c>warren errors list|replay</c> as the executable runs it (parse, connect, act, print, exit
/// code), against a Warren server started for this class.
/// </summary>
public sealed class ErrorsCommandTests(WarrenServerUnderTest server) : IClassFixture<WarrenServerUnderTest>, IAsyncLifetime
{
    private readonly List<TestService> _services = new();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
    }

    [Fact]
    public async Task List_prints_the_failed_messages_oldest_first_and_leaves_them_in_place()
    {
        var (service, ids) = await StartWithFailedEventsAsync("list", 3);
        var failed = await service.Bus.PeekErrorsAsync();

        var (exit, output, error) = await RunAsync("errors", "list", "--service", service.Bus.ServiceName, "--uri", Uri);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("MESSAGE ID", lines[0]);
        Assert.Contains("ATTEMPTS", lines[0]);
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.StartsWith(failed[i].MessageId!, lines[i + 1]);
            Assert.Contains("test.errors.broken", lines[i + 1]);
            Assert.Contains($"System.InvalidOperationException: broken {ids[i]}", lines[i + 1]);
            Assert.Contains(service.Bus.ServiceName, lines[i + 1]);
        }
        Assert.Equal($"3 message(s) in {service.Bus.ServiceName}.error.", lines[^1]);
        Assert.Equal(ids, (await service.Bus.PeekErrorsAsync()).Select(TestMessages.IdOf));
    }

    [Fact]
    public async Task List_stops_at_max_and_says_there_may_be_more()
    {
        var (service, _) = await StartWithFailedEventsAsync("max", 3);

        var (exit, output, _) = await RunAsync("errors", "list", "--service", service.Bus.ServiceName, "--uri", Uri, "--max", "2");

        Assert.Equal(0, exit);
        Assert.Equal(4, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("2 message(s) shown", output);
    }

    [Fact]
    public async Task Replay_with_ids_replays_those_messages_and_leaves_the_others_in_order()
    {
        var (service, ids) = await StartWithFailedEventsAsync("replay", 4);
        var failed = await service.Bus.PeekErrorsAsync();
        Switches.Healed[ids[0]] = true;
        Switches.Healed[ids[2]] = true;

        var (exit, output, error) = await RunAsync("errors", "replay", "--service", service.Bus.ServiceName, "--uri", Uri, "--id", failed[0].MessageId!, "--id", failed[2].MessageId!);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Equal($"Replayed 2 message(s) from {service.Bus.ServiceName}.error.", output.Trim());
        await service.Recorder.WaitForHandledAsync<BrokenEvent>(e => e.Id == ids[0], Waits.Timeout);
        await service.Recorder.WaitForHandledAsync<BrokenEvent>(e => e.Id == ids[2], Waits.Timeout);
        Assert.Equal([ids[1], ids[3]], (await service.Bus.PeekErrorsAsync()).Select(TestMessages.IdOf));
    }

    [Fact]
    public async Task Replay_all_empties_the_error_queue()
    {
        var (service, ids) = await StartWithFailedEventsAsync("all", 3);
        foreach (var id in ids) Switches.Healed[id] = true;

        var (exit, output, _) = await RunAsync("errors", "replay", "--service", service.Bus.ServiceName, "--uri", Uri, "--all");

        Assert.Equal(0, exit);
        Assert.Contains("Replayed 3 message(s)", output);
        foreach (var id in ids) await service.Recorder.WaitForHandledAsync<BrokenEvent>(e => e.Id == id, Waits.Timeout);
        Assert.Empty(await service.Bus.PeekErrorsAsync());
    }

    [Fact]
    public async Task Replay_of_an_id_that_is_not_there_says_which_and_exits_with_1()
    {
        var (service, ids) = await StartWithFailedEventsAsync("missing", 1);

        var (exit, output, error) = await RunAsync("errors", "replay", "--service", service.Bus.ServiceName, "--uri", Uri, "--id", "no-such-id");

        Assert.Equal(1, exit);
        Assert.Contains("Replayed 0 message(s)", output);
        Assert.Equal($"warren errors: not in {service.Bus.ServiceName}.error: no-such-id", error.Trim());
        Assert.Equal(ids, (await service.Bus.PeekErrorsAsync()).Select(TestMessages.IdOf));
    }

    [Fact]
    public async Task An_unknown_service_is_a_one_line_error_and_exit_code_1()
    {
        var (exit, _, error) = await RunAsync("errors", "list", "--service", "nobody-" + _suffix, "--uri", Uri);

        Assert.Equal(1, exit);
        Assert.Equal($"warren errors: no queue 'nobody-{_suffix}.error' on the broker at 127.0.0.1:{server.Uri!.Port}; is 'nobody-{_suffix}' the service's name?", error.Trim());
    }

    [Fact]
    public async Task An_unreachable_broker_is_a_one_line_error_and_exit_code_1()
    {
        var (exit, _, error) = await RunAsync("errors", "list", "--service", "any", "--uri", $"amqp://guest:guest@127.0.0.1:{FreePort()}/");

        Assert.Equal(1, exit);
        Assert.StartsWith("warren errors: Could not connect to the broker at 127.0.0.1:", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("errors", "replay", "--service", "any")]
    [InlineData("errors", "replay", "--service", "any", "--all", "--id", "x")]
    [InlineData("errors", "list", "--service", "any", "--uri", "http://example.com/")]
    [InlineData("errors", "list", "--service", "any", "--max", "0")]
    public async Task A_wrong_command_line_is_a_one_line_error_and_exit_code_2(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("warren errors: ", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("errors", "list")]
    [InlineData("errors", "list", "--service", "any", "--no-such-option")]
    [InlineData("errors", "replay", "--all")]
    public async Task A_missing_required_option_or_an_unknown_one_is_a_one_line_error_and_exit_code_2(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith($"warren errors {args[1]}: ", error);
        Assert.Contains("--help", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private string Uri => server.Uri!.ToString();

    private async Task<(TestService Service, string[] Ids)> StartWithFailedEventsAsync(string name, int count)
    {
        var service = await TestService.StartAsync(server, $"{name}-{_suffix}", FailedEvents.Configure);
        _services.Add(service);
        var ids = Enumerable.Range(0, count).Select(i => $"{name}{i}-{_suffix}").ToArray();
        await FailedEvents.PublishAndWaitAsync(service, ids);
        return (service, ids);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = new RootCommand { ErrorsCommand.Create() };
        var exit = await CommandLine.InvokeAsync(root, args, new InvocationConfiguration { Output = output, Error = error }).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, output.ToString(), error.ToString());
    }

    // A port nothing listens on: taken from the OS, then released.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
