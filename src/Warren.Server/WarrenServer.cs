namespace Warren.Server;

/// <summary>
/// A complete Warren broker listening for AMQP 0-9-1 clients. Start one with
/// <see cref="StartAsync"/>; dispose it to stop it.
/// </summary>
public sealed class WarrenServer : IAsyncDisposable
{
    private WarrenServer(int port) => Port = port;

    /// <summary>The port the server listens on (the real one when 0 was asked for).</summary>
    public int Port { get; }

    /// <summary>The URI a client connects with, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>.</summary>
    public Uri AmqpUri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Starts a server with the given options (the defaults when null).</summary>
    public static Task<WarrenServer> StartAsync(WarrenServerOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotImplementedException("placeholder until the listener lands");

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
