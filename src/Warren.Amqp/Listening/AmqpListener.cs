using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Connections;
using Warren.Amqp.Listening.Tls;

namespace Warren.Amqp.Listening;

/// <summary>
/// Accepts TCP connections and serves each with an <see cref="AmqpConnection"/>. It only moves
/// bytes between sockets and pipes (through TLS when it is an AMQPS listener); the protocol lives
/// in the connection. It keeps accepting whatever happens: failed accepts back off, connections
/// stuck in their handshake are bounded.
/// </summary>
public sealed partial class AmqpListener : IAsyncDisposable
{
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly Broker.Broker _broker;
    private readonly AmqpOptions _options;
    private readonly TlsContext? _tls;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Socket _socket;
    // Two stops: accepting ends first; connections are told (320) and given CloseTimeout to
    // answer close-ok before _stopping cuts them. One token for both would end every connection,
    // its writer included, before the close could be sent ("End of stream" at the client).
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Client, Task> _clients = new();
    private readonly BurstLog _refusedLog = new(LogInterval);
    private readonly BurstLog _acceptFailureLog = new(LogInterval);
    private readonly BurstLog _acceptRecoveryLog = new(LogInterval);
    private readonly BurstLog _tlsFailureLog = new(LogInterval);
    private readonly BurstLog _handshakeTimeoutLog = new(LogInterval);
    private readonly Task _acceptLoop;

    /// <summary>Binds to <paramref name="endPoint"/> (port 0: a free port) and starts accepting; with <paramref name="tls"/>, every connection starts with a TLS handshake.</summary>
    public AmqpListener(Broker.Broker broker, IPEndPoint endPoint, AmqpOptions options, ILoggerFactory loggerFactory, TlsContext? tls = null)
    {
        options.Validate();
        _broker = broker;
        _options = options;
        _tls = tls;
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
        _acceptLoop = AcceptAsync(_stopAccepting.Token);
    }

    /// <summary>Where it listens, with the real port.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>True for an AMQPS (TLS) listener.</summary>
    public bool IsTls => _tls is not null;

    /// <summary>Open connections, those still in their handshake included.</summary>
    public int ConnectionCount => _clients.Count;

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            catch (Exception e)
            {
                // Out of file descriptors (EMFILE) the pending connection stays queued and accept
                // fails again at once: back off, log the burst once, and free a descriptor held by
                // a connection that has not even finished its handshake.
                failures++;
                if (_acceptFailureLog.ShouldLog(out var more))
                    _logger.LogWarning("Accepting connections failed: {Error}; retrying with back-off (+{More} more failures since the last report)", e.Message, more);
                if (e is SocketException { SocketErrorCode: SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable }) EvictOldestHandshake("out of file descriptors");
                try
                {
                    await Task.Delay(BackOff(failures), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            if (failures > 0)
            {
                if (_acceptRecoveryLog.ShouldLog(out _)) _logger.LogInformation("Accepting connections again after {Failures} failed attempts", failures);
                failures = 0;
            }
            Admit(socket, _stopping.Token);
        }
    }

    // 10 ms, doubling, at most 1 s: quick to recover, never a busy loop.
    private static TimeSpan BackOff(int failures) => TimeSpan.FromMilliseconds(Math.Min(1000, 10 << Math.Min(failures - 1, 7)));

    private void Admit(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            if (_clients.Count >= _options.MaxConnections)
            {
                if (_refusedLog.ShouldLog(out var more))
                    _logger.LogWarning("Refused a connection from {Remote}: the limit of {Max} connections is reached (+{More} more refused)", socket.RemoteEndPoint, _options.MaxConnections, more);
                socket.Dispose();
                return;
            }
            // Near the process's descriptor limit, a connection still in its handshake makes room; if none is, the new one is refused.
            if (FileDescriptorBudget.IsExhausted && !EvictOldestHandshake($"{FileDescriptorBudget.InUse} sockets open, near the file descriptor limit"))
            {
                if (_refusedLog.ShouldLog(out var more))
                    _logger.LogWarning("Refused a connection from {Remote}: {Open} sockets open, near the file descriptor limit (+{More} more refused)", socket.RemoteEndPoint, FileDescriptorBudget.InUse, more);
                socket.Dispose();
                return;
            }
            socket.NoDelay = true;
            var client = new Client(socket.RemoteEndPoint, cancellationToken);
            FileDescriptorBudget.Acquire();
            StartHandshake(client);
            _clients[client] = ServeAsync(socket, client);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset by the peer before it was served: nothing to serve, and no reason to stop accepting.
            _logger.LogDebug("Dropped a connection reset before it was served: {Error}", e.Message);
            socket.Dispose();
        }
    }

    private async Task ServeAsync(Socket socket, Client client)
    {
        await Task.Yield();
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            TransportSecurity? security = null;
            if (_tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                security = await AuthenticateAsync(ssl, _tls, client).ConfigureAwait(false);
                if (security is null) return;
            }
            var transport = new StreamTransport(
                PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 4096)),
                PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024)));
            var connection = new AmqpConnection(_broker, transport, _options, client.Remote, _loggerFactory.CreateLogger<AmqpConnection>(), security, socket.LocalEndPoint)
            {
                Opened = () => EndHandshake(client),
            };
            client.Connection = connection;
            await connection.RunAsync(client.Abort.Token).ConfigureAwait(false);
            if (connection.HandshakeTimedOut && _handshakeTimeoutLog.ShouldLog(out var more))
            {
                _logger.LogInformation("Closed connection from {Remote}: the AMQP handshake did not finish within {Timeout} s (+{More} more since the last report)",
                    client.Remote, _options.HandshakeTimeout.TotalSeconds, more);
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Serving the connection from {Remote} failed", client.Remote);
        }
        finally
        {
            EndHandshake(client);
            await stream.DisposeAsync().ConfigureAwait(false);
            FileDescriptorBudget.Release();
            _clients.TryRemove(client, out _);
            client.Dispose();
        }
    }

    // TLS first; null when the handshake failed or took too long (RabbitMQ's ssl_handshake_timeout).
    private async Task<TransportSecurity?> AuthenticateAsync(SslStream ssl, TlsContext tls, Client client)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(client.Abort.Token);
        deadline.CancelAfter(tls.Options.HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(tls.CreateServerOptions(), deadline.Token).ConfigureAwait(false);
            return tls.Describe(ssl);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            if (_tlsFailureLog.ShouldLog(out var more))
            {
                var reason = e is OperationCanceledException ? $"not finished within {tls.Options.HandshakeTimeout.TotalSeconds} s" : e.InnerException?.Message ?? e.Message;
                _logger.LogInformation("TLS handshake with {Remote} failed: {Reason} (+{More} more since the last report)", client.Remote, reason, more);
            }
            return null;
        }
    }

    /// <summary>Stops accepting, closes every connection with CONNECTION_FORCED and waits (briefly) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // RabbitMQ's text at shutdown; each connection ends itself after close-ok or CloseTimeout.
        foreach (var client in _clients.Keys) client.Connection?.CloseForced("broker forced connection closure with reason 'shutdown'");
        var closed = Task.WhenAll(_clients.Values);
        await closed.WaitAsync(_options.CloseTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        // A connection stuck in a write: cut it, and wait for its teardown before disposing what it uses.
        await _stopping.CancelAsync().ConfigureAwait(false);
        await closed.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
        _stopAccepting.Dispose();
    }

    private sealed record StreamTransport(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
