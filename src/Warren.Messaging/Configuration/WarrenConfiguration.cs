using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Warren.Messaging.Configuration;

/// <summary>
/// Reads <see cref="WarrenOptions"/> from configuration (a section of appsettings.json,
/// environment variables <c>Warren__ServiceName</c>, …). Keys, all optional:
/// <c>ServiceName</c>, <c>InstanceId</c>, <c>SystemPrefix</c>, <c>Uri</c> (uses AMQP),
/// <c>Transport</c> (<c>amqp</c> or <c>in-process</c>), <c>Prefetch</c>, <c>Concurrency</c>,
/// <c>RequestTimeout</c>, <c>ShutdownTimeout</c> (TimeSpan text, <c>00:00:30</c>),
/// <c>Persistent</c>, <c>EventsExchange</c>, <c>RequestsExchange</c>,
/// <c>Retries:Immediate</c>, <c>Retries:Delays</c> (a list of TimeSpans), <c>QueueType</c>,
/// <c>PublisherConfirms</c>, <c>PublishOutageTimeout</c>, <c>ReconnectInterval</c>,
/// <c>StartupTimeout</c>, <c>StartupRetryDelay</c>. A value that does not parse fails naming its key.
/// </summary>
public static class WarrenConfiguration
{
    private static readonly HashSet<string> s_known = new(StringComparer.OrdinalIgnoreCase)
    {
        "ServiceName", "InstanceId", "SystemPrefix", "Uri", "Transport", "Prefetch", "Concurrency", "RequestTimeout", "ShutdownTimeout",
        "Persistent", "EventsExchange", "RequestsExchange", "Retries", "QueueType", "PublisherConfirms", "PublishOutageTimeout",
        "ReconnectInterval", "StartupTimeout", "StartupRetryDelay",
    };

    /// <summary>Applies <paramref name="section"/> to <paramref name="options"/>; keys that are absent leave the options as they are.</summary>
    public static WarrenOptions Bind(this WarrenOptions options, IConfiguration section)
    {
        var path = section is IConfigurationSection s ? s.Path + ":" : "";
        foreach (var child in section.GetChildren())
        {
            if (!s_known.Contains(child.Key)) throw new InvalidOperationException($"Configuration key '{path}{child.Key}' is not a Warren option; known: {string.Join(", ", s_known.Order(StringComparer.Ordinal))}.");
        }
        if (section["ServiceName"] is { } service) options.ServiceName = service;
        if (section["InstanceId"] is { } instance) options.InstanceId = instance;
        if (section["SystemPrefix"] is { } prefix) options.SystemPrefix = prefix;
        if (section["EventsExchange"] is { } events) options.EventsExchange = events;
        if (section["RequestsExchange"] is { } requests) options.RequestsExchange = requests;
        Read(section, path, "Prefetch", ushort.Parse, v => options.Prefetch = v);
        Read(section, path, "Concurrency", int.Parse, v => options.Concurrency = v);
        Read(section, path, "RequestTimeout", TimeSpan.Parse, v => options.RequestTimeout = v);
        Read(section, path, "ShutdownTimeout", TimeSpan.Parse, v => options.ShutdownTimeout = v);
        Read(section, path, "Persistent", (text, _) => bool.Parse(text), v => options.Persistent = v);
        Read(section, path, "Retries:Immediate", int.Parse, v => options.Retries.Immediate = v);
        var delays = section.GetSection("Retries:Delays").GetChildren().ToList();
        if (delays.Count > 0)
        {
            options.Retries.Delays.Clear();
            foreach (var delay in delays) Read(delay, path + "Retries:Delays:", null, TimeSpan.Parse, v => options.Retries.Delays.Add(v));
        }
        var amqp = options.Amqp;
        if (section["QueueType"] is { } queueType) amqp.QueueType = queueType.Length == 0 ? null : queueType;
        Read(section, path, "PublisherConfirms", (text, _) => bool.Parse(text), v => amqp.PublisherConfirms = v);
        Read(section, path, "PublishOutageTimeout", TimeSpan.Parse, v => amqp.PublishOutageTimeout = v);
        Read(section, path, "ReconnectInterval", TimeSpan.Parse, v => amqp.ReconnectInterval = v);
        Read(section, path, "StartupTimeout", TimeSpan.Parse, v => amqp.StartupTimeout = v);
        Read(section, path, "StartupRetryDelay", TimeSpan.Parse, v => amqp.StartupRetryDelay = v);
        var transport = section["Transport"];
        if (section["Uri"] is { Length: > 0 } uri)
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("amqp" or "amqps"))
            {
                throw new InvalidOperationException($"Configuration key '{path}Uri': '{uri}' is not an amqp:// or amqps:// URI.");
            }
            if (transport is null || transport.Equals("amqp", StringComparison.OrdinalIgnoreCase)) options.UseAmqp(parsed);
            else amqp.Uri = parsed;
        }
        if (transport is not null)
        {
            switch (transport.ToLowerInvariant())
            {
                case "in-process" or "inprocess":
                    options.UseInProcess();
                    break;
                case "amqp":
                    options.UseAmqp(amqp.Uri);
                    break;
                default:
                    throw new InvalidOperationException($"Configuration key '{path}Transport': '{transport}' is not a transport; use 'amqp' or 'in-process'.");
            }
        }
        return options;
    }

    private static void Read<T>(IConfiguration section, string path, string? key, Func<string, IFormatProvider, T> parse, Action<T> apply)
    {
        var text = key is null ? ((IConfigurationSection)section).Value : section[key];
        if (text is null) return;
        try
        {
            apply(parse(text, CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            var name = key is null ? ((IConfigurationSection)section).Key : key;
            throw new InvalidOperationException($"Configuration key '{path}{name}': '{text}' is not a valid {typeof(T).Name}.", e);
        }
    }
}
