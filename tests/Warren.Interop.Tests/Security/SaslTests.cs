using Warren.Interop.Tests.Infrastructure;
using Warren.Server;

namespace Warren.Interop.Tests.Security;

/// <summary>AMQPLAIN with a real client that prefers it (py-amqp, Celery's client), against Warren and RabbitMQ alike.</summary>
public sealed class SaslTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int ExitCode, string Output)> RunAsync(Uri uri, string password)
    {
        await ExternalProcess.RequirePythonModuleAsync("amqp", "python3-amqp", Ct);
        return await ExternalProcess.RunAsync(ExternalProcess.Python, [ExternalProcess.Script("amqplain.py"), uri.Port.ToString(), "guest", password], Timeout, Ct);
    }

    private static async Task AssertAmqplainAsync(Uri uri)
    {
        var ok = await RunAsync(uri, "guest");
        var refused = await RunAsync(uri, "wrong");

        Assert.True(ok.ExitCode == 0 && ok.Output.Contains("OK"), ok.Output);
        Assert.Contains("via amqplain", ok.Output);
        Assert.True(refused.ExitCode == 3, refused.Output);
        Assert.Contains("ACCESS_REFUSED - Login was refused using authentication mechanism AMQPLAIN", refused.Output);
    }

    [Fact]
    public async Task Py_amqp_logs_in_to_Warren_with_AMQPLAIN_and_a_wrong_password_is_refused()
    {
        await using var server = await WarrenServer.StartAsync(new WarrenServerOptions { Port = 0 }, cancellationToken: Ct);

        await AssertAmqplainAsync(server.AmqpUri);
    }

    [Fact]
    public async Task Py_amqp_logs_in_to_RabbitMQ_with_AMQPLAIN_and_a_wrong_password_is_refused()
    {
        var uri = new RabbitMqFixture().Target.RequiredUri;

        await AssertAmqplainAsync(uri);
    }
}
