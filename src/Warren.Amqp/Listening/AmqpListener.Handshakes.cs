using System.Net;
using Microsoft.Extensions.Logging;
using Warren.Amqp.Connections;

namespace Warren.Amqp.Listening;

public sealed partial class AmqpListener
{
    // Connections in their TLS or AMQP handshake, oldest first. At the cap the oldest is closed:
    // a real client finishes its handshake in milliseconds, so it is never the oldest for long,
    // while sockets that stall (20,000 of them sending only "AMQP") evict one another.
    private readonly LinkedList<Client> _handshakes = new();
    private readonly Lock _handshakeSync = new();
    private readonly BurstLog _evictionLog = new(LogInterval);

    /// <summary>Connections still in their TLS or AMQP handshake.</summary>
    public int HandshakingConnectionCount
    {
        get
        {
            lock (_handshakeSync) return _handshakes.Count;
        }
    }

    private void StartHandshake(Client client)
    {
        bool full;
        lock (_handshakeSync)
        {
            client.Handshake = _handshakes.AddLast(client);
            full = _handshakes.Count > _options.MaxHandshakingConnections;
        }
        if (full) EvictOldestHandshake($"more than {_options.MaxHandshakingConnections} connections in their handshake");
    }

    private void EndHandshake(Client client)
    {
        lock (_handshakeSync)
        {
            if (client.Handshake is null) return;
            _handshakes.Remove(client.Handshake);
            client.Handshake = null;
        }
    }

    private bool EvictOldestHandshake(string reason)
    {
        Client? victim;
        lock (_handshakeSync)
        {
            victim = _handshakes.First?.Value;
            if (victim is null) return false;
            _handshakes.RemoveFirst();
            victim.Handshake = null;
            // Under the lock: the connection disposes its token source only after leaving the list.
            _ = victim.Abort.CancelAsync();
        }
        if (_evictionLog.ShouldLog(out var more))
            _logger.LogWarning("Closed the connection from {Remote} still in its handshake: {Reason} (+{More} more since the last report)", victim.Remote, reason, more);
        return true;
    }

    /// <summary>One accepted socket, from accept to close.</summary>
    private sealed class Client(EndPoint? remote, CancellationToken stopping) : IDisposable
    {
        public EndPoint? Remote { get; } = remote;

        /// <summary>Cancelled when the listener stops or evicts it.</summary>
        public CancellationTokenSource Abort { get; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);

        /// <summary>The AMQP session, once TLS (if any) is done.</summary>
        public AmqpConnection? Connection { get; set; }

        /// <summary>Its place among the handshakes; null once open, ended or evicted. Under the listener's lock.</summary>
        public LinkedListNode<Client>? Handshake { get; set; }

        public void Dispose() => Abort.Dispose();
    }
}
