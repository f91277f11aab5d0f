using System.Net;
using System.Net.Sockets;
using Warren.Durability.Tests.Infrastructure;

namespace Warren.Durability.Tests;

/// <summary>What a new user sees from the <c>warren</c> executable on a first start.</summary>
public sealed class FirstStartTests
{
    [Fact]
    public async Task A_first_start_with_a_new_data_folder_logs_no_warning()
    {
        using var data = new TempDataDirectory();
        var folder = Path.Combine(data.Path, "not-created-yet");
        await using var server = await WarrenProcess.StartAsync(folder, TestContext.Current.CancellationToken);

        Assert.Equal(0, await server.StopGracefullyAsync());

        Assert.DoesNotContain("warn:", server.Output);
        Assert.DoesNotContain("Exception", server.Output);
        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public async Task A_port_already_in_use_is_one_line_that_names_the_port_and_the_fix()
    {
        using var data = new TempDataDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await WarrenProcess.RunToExitAsync("--port", port.ToString(), "--data-dir", data.Path);

        Assert.Equal(1, exitCode);
        var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("info:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors);
        Assert.Equal($"warren: port {port} on 127.0.0.1 is already in use (another warren, or a RabbitMQ?): stop it, or choose another port with --port.", line);
    }

    [Fact]
    public async Task A_management_port_already_in_use_is_one_line_that_names_the_option_and_frees_everything()
    {
        using var data = new TempDataDirectory();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var (exitCode, output) = await WarrenProcess.RunToExitAsync("--port", "0", "--data-dir", data.Path,
            "--management-port", port.ToString(), "--prometheus-port", "0");

        Assert.Equal(1, exitCode);
        var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith("info:", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(errors);
        Assert.Equal($"warren: the management port {port}: choose another with --management-port (0 turns it off); it is already in use on 127.0.0.1 (another warren, or a RabbitMQ?).", line);
    }
}
