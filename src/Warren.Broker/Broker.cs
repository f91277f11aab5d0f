using System.Collections.Concurrent;
using Warren.Broker.Security;
using Warren.Broker.VirtualHosts;

namespace Warren.Broker;

/// <summary>
/// The broker: virtual hosts and users. Protocol-neutral and I/O-free; a protocol front end
/// (AMQP 0-9-1, the in-process transport) drives it.
/// </summary>
public sealed class Broker
{
    private readonly ConcurrentDictionary<string, VirtualHost> _virtualHosts = new();

    /// <summary>Creates a broker with the default virtual host "/" and the user guest/guest (loopback only), as RabbitMQ starts.</summary>
    public Broker()
    {
        AddVirtualHost("/");
        Users.AddUser("guest", "guest", loopbackOnly: true, "/");
    }

    /// <summary>The users who may connect.</summary>
    public UserStore Users { get; } = new();

    /// <summary>Creates a virtual host if it does not exist, and returns it.</summary>
    public VirtualHost AddVirtualHost(string name) => _virtualHosts.GetOrAdd(name, static n => new VirtualHost(n));

    /// <summary>Finds a virtual host.</summary>
    public bool TryGetVirtualHost(string name, out VirtualHost virtualHost) => _virtualHosts.TryGetValue(name, out virtualHost!);

    /// <summary>The virtual hosts (a snapshot).</summary>
    public IReadOnlyCollection<VirtualHost> VirtualHosts => _virtualHosts.Values.ToArray();
}
