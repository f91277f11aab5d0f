using System.Net;
using System.Net.Sockets;

namespace Warren.Messaging.Tests.Infrastructure;

/// <summary>
/// A TCP forwarder on loopback in front of a broker, so a test can cut the network between a
/// client and the broker while both keep running. <see cref="Cut"/> closes every forwarded
/// connection on both sides (the broker sees its client go at once, as when a load balancer
/// restarts) and refuses new ones; <see cref="Restore"/> forwards again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(TcpClient Client, TcpClient Upstream)> _links = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>Starts a proxy in front of the broker of <paramref name="brokerUri"/>.</summary>
    public static TcpProxy For(Uri brokerUri) => new(new IPEndPoint(IPAddress.Parse(brokerUri.Host), brokerUri.Port));

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary><paramref name="brokerUri"/> with the proxy's port.</summary>
    public Uri Through(Uri brokerUri) => new UriBuilder(brokerUri) { Port = Port }.Uri;

    /// <summary>Connections forwarded now.</summary>
    public int OpenConnections
    {
        get { lock (_links) return _links.Count; }
    }

    public void Cut()
    {
        _cut = true;
        List<(TcpClient, TcpClient)> links;
        lock (_links)
        {
            links = [.. _links];
            _links.Clear();
        }
        foreach (var (client, upstream) in links)
        {
            client.Dispose();
            upstream.Dispose();
        }
    }

    public void Restore() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            if (_cut)
            {
                client.Dispose();
                continue;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_target, _stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        lock (_links) _links.Add((client, upstream));
        // Either direction ending (or a cut disposing both) ends the link.
        await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        lock (_links) _links.Remove((client, upstream));
        client.Dispose();
        upstream.Dispose();
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stopping.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The link was cut or one side closed.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting;
        _stopping.Dispose();
    }
}
