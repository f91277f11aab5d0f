using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Connections;

namespace Warren.Amqp.Listening;

/// <summary>
/// Accepts TCP connections and serves each with an <see cref="AmqpConnection"/>. It only moves
/// bytes between sockets and pipes; the protocol lives in the connection.
/// </summary>
public sealed class AmqpListener : IAsyncDisposable
{
    private readonly Broker.Broker _broker;
    private readonly AmqpOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<AmqpConnection, Task> _connections = new();
    private readonly Task _acceptLoop;

    /// <summary>Binds to <paramref name="endPoint"/> (port 0: a free port) and starts accepting.</summary>
    public AmqpListener(Broker.Broker broker, IPEndPoint endPoint, AmqpOptions options, ILoggerFactory loggerFactory)
    {
        options.Validate();
        _broker = broker;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<AmqpListener>();
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _socket.Bind(endPoint);
            _socket.Listen(1024);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _acceptLoop = AcceptAsync(_stopping.Token);
    }

    /// <summary>Where it listens, with the real port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Open connections.</summary>
    public int ConnectionCount => _connections.Count;

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(e, "Accept failed");
                continue;
            }
            if (_connections.Count >= _options.MaxConnections)
            {
                _logger.LogWarning("Refused a connection from {Remote}: the limit of {Max} connections is reached", client.RemoteEndPoint, _options.MaxConnections);
                client.Dispose();
                continue;
            }
            Serve(client, cancellationToken);
        }
    }

    private void Serve(Socket client, CancellationToken cancellationToken)
    {
        client.NoDelay = true;
        var stream = new NetworkStream(client, ownsSocket: true);
        var transport = new SocketTransport(
            PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024)));
        var connection = new AmqpConnection(_broker, transport, _options, client.RemoteEndPoint, _loggerFactory.CreateLogger<AmqpConnection>(), client.LocalEndPoint);
        _connections[connection] = RunAsync(connection, stream, cancellationToken);
    }

    private async Task RunAsync(AmqpConnection connection, NetworkStream stream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await connection.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            _connections.TryRemove(connection, out _);
        }
    }

    /// <summary>Stops accepting, closes every connection with CONNECTION_FORCED and waits (briefly) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var connection in _connections.Keys) connection.CloseForced("broker forced connection closure with reason 'shutdown'");
        await Task.WhenAll(_connections.Values).WaitAsync(_options.CloseTimeout + TimeSpan.FromSeconds(2))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private sealed record SocketTransport(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
