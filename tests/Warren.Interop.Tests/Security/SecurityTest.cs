using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;
using Warren.Interop.Tests.Infrastructure;

namespace Warren.Interop.Tests.Security;

/// <summary>Helpers for cases that log in as users of their own, made through the broker's admin surface and deleted after the test.</summary>
public abstract class SecurityTest(BrokerTarget target) : InteropTest(target)
{
    private readonly List<string> users = [];
    private readonly List<string> virtualHosts = [];

    protected const string Password = "s3cret-pw";

    protected IBrokerAdmin Admin => Target.Admin;

    /// <summary>A new user with a unique name (interop-user-…), deleted after the test.</summary>
    protected async Task<string> NewUserAsync(params string[] tags)
    {
        var name = $"interop-user-{Guid.NewGuid():N}";
        await Admin.PutUserAsync(name, Password, tags);
        users.Add(name);
        return name;
    }

    /// <summary>A new virtual host with a unique name, deleted after the test.</summary>
    protected async Task<string> NewVirtualHostAsync()
    {
        var name = $"interop-vhost-{Guid.NewGuid():N}";
        await Admin.PutVirtualHostAsync(name);
        virtualHosts.Add(name);
        return name;
    }

    /// <summary>Connects as <paramref name="user"/>, to <paramref name="vhost"/>.</summary>
    protected Task<IConnection> ConnectAsAsync(string user, string vhost = "/") =>
        ConnectAsync(f =>
        {
            f.UserName = user;
            f.Password = Password;
            f.VirtualHost = vhost;
        });

    /// <summary>The broker's connection.close when opening a connection fails.</summary>
    protected async Task<ShutdownEventArgs> ExpectConnectRefusedAsync(string user, string vhost = "/")
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsAsync(user, vhost));
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationInterruptedException { ShutdownReason: { } reason }) return reason;
        }
        Assert.Fail($"expected a connection.close from the broker, got {error}");
        return null!;
    }

    public override async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await base.DisposeAsync();
        if (Target.Uri is null) return;
        foreach (var user in users) await Admin.DeleteUserAsync(user);
        foreach (var vhost in virtualHosts) await Admin.DeleteVirtualHostAsync(vhost);
    }
}
