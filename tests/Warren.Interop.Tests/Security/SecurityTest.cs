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

    /// <summary>
    /// The broker's connection.close when opening a connection fails. RabbitMQ.Client may hand
    /// back the connection before it reads a close that answers connection.open, so a returned
    /// connection is probed with a channel and its close reason read.
    /// </summary>
    protected async Task<ShutdownEventArgs> ExpectConnectRefusedAsync(string user, string vhost = "/")
    {
        Exception? error = null;
        try
        {
            var connection = await ConnectAsAsync(user, vhost);
            try
            {
                await connection.CreateChannelAsync(cancellationToken: Ct);
            }
            catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException)
            {
                error = e;
            }
            if (connection.CloseReason is { } closed) return closed;
        }
        catch (Exception e)
        {
            error = e;
        }
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is OperationInterruptedException { ShutdownReason: { } reason }) return reason;
            if (e is AlreadyClosedException { ShutdownReason: { } already }) return already;
        }
        Assert.Fail($"expected a connection.close from the broker, got {error?.ToString() ?? "an open connection"}");
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
