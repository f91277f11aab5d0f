namespace Warren.Broker.Parameters;

/// <summary>
/// A runtime parameter of a virtual host (RabbitMQ's vhost-scoped parameters, e.g. federation
/// or shovel settings): stored, persisted and exported. Values are JSON-shaped: strings, longs,
/// doubles, booleans, null, lists (<see cref="IReadOnlyList{T}"/> of object?) and tables
/// (<see cref="IReadOnlyDictionary{TKey,TValue}"/> of string to object?).
/// </summary>
/// <param name="Component">The component, e.g. "federation-upstream".</param>
/// <param name="VirtualHost">The virtual host.</param>
/// <param name="Name">The name.</param>
/// <param name="Value">The value.</param>
public sealed record Parameter(string Component, string VirtualHost, string Name, object? Value);

/// <summary>A global (cluster-wide) runtime parameter, e.g. cluster_name.</summary>
/// <param name="Name">The name.</param>
/// <param name="Value">The value, JSON-shaped as for <see cref="Parameter"/>.</param>
public sealed record GlobalParameter(string Name, object? Value);
