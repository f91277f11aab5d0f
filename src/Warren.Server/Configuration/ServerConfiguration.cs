using Microsoft.Extensions.Configuration;

namespace Warren.Server.Configuration;

/// <summary>A setting the server cannot start with; the message names the option, the value and where it came from.</summary>
public sealed class ServerConfigurationException(string message) : Exception(message);

/// <summary>
/// Layers the server's settings with Microsoft.Extensions.Configuration, lowest first: the
/// defaults, the <c>--config</c> JSON file, the environment (<c>WARREN__KEY</c>, and RabbitMQ-style
/// <c>WARREN_DEFAULT_USER</c> / <c>WARREN_DEFAULT_PASS</c>), then command-line flags. A key no
/// option knows, or a value an option refuses, stops the start with a message naming it.
/// </summary>
public static class ServerConfiguration
{
    /// <summary>The environment variable prefix: WARREN__PORT sets Port.</summary>
    public const string EnvironmentPrefix = "WARREN__";

    // RabbitMQ's RABBITMQ_DEFAULT_USER / _PASS, under Warren's name.
    private static readonly (string Variable, string Key)[] s_aliases = [("WARREN_DEFAULT_USER", "DefaultUser"), ("WARREN_DEFAULT_PASS", "DefaultPass")];

    /// <summary>
    /// Builds the options from <paramref name="defaults"/>, a config file (or null), an
    /// environment (null: the process's) and the flags given on the command line (key: the
    /// option's <see cref="ServerOption.Key"/>).
    /// </summary>
    public static WarrenServerOptions Load(WarrenServerOptions defaults, string? configFile, IReadOnlyDictionary<string, string?> flags,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path)) throw new ServerConfigurationException($"--config: file '{configFile}' not found");
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        var env = environment ?? ProcessEnvironment();
        builder.AddInMemoryCollection(Aliases(env));
        builder.AddInMemoryCollection(Prefixed(env));
        builder.AddInMemoryCollection(flags);
        IConfigurationRoot configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            throw new ServerConfigurationException($"--config: '{configFile}' is not valid JSON: {e.Message}");
        }
        var sources = new[] { configFile is null ? null : $"config file {configFile}", "environment (WARREN_DEFAULT_*)", "environment (WARREN__*)", "command line" };
        var providers = configuration.Providers.ToArray();
        var known = ServerOptions.All.ToDictionary(o => o.Key, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < providers.Length; i++)
        {
            var source = sources[sources.Length - providers.Length + i];
            foreach (var key in providers[i].GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!known.ContainsKey(key) || !providers[i].TryGet(key, out _))
                {
                    throw new ServerConfigurationException($"unknown option '{key}' in the {source}; known options: {string.Join(", ", known.Keys)}");
                }
            }
        }
        var options = defaults;
        foreach (var option in ServerOptions.All.OrderBy(o => o.Order))
        {
            var value = configuration[option.Key];
            if (value is null) continue;
            try
            {
                options = option.Apply(options, value);
            }
            catch (FormatException e)
            {
                throw new ServerConfigurationException($"option '{option.Key}' ({option.Flag}) from the {SourceOf(providers, sources, option.Key)}: {e.Message}");
            }
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ServerConfigurationException(e.Message);
        }
        return options;
    }

    private static string SourceOf(IConfigurationProvider[] providers, string?[] sources, string key)
    {
        for (var i = providers.Length - 1; i >= 0; i--)
        {
            if (providers[i].TryGet(key, out _)) return sources[sources.Length - providers.Length + i] ?? "";
        }
        return "";
    }

    private static Dictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables()) result[(string)entry.Key] = (string?)entry.Value;
        return result;
    }

    private static Dictionary<string, string?> Prefixed(IReadOnlyDictionary<string, string?> environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in environment)
        {
            // WARREN__A__B would be a nested key; the options are flat, so it is reported as unknown.
            if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) result[name[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal)] = value;
        }
        return result;
    }

    private static Dictionary<string, string?> Aliases(IReadOnlyDictionary<string, string?> environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (variable, key) in s_aliases)
        {
            if (environment.TryGetValue(variable, out var value) && value is not null) result[key] = value;
        }
        return result;
    }
}
