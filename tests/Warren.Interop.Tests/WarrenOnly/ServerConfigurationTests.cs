using Warren.Server;
using Warren.Server.Configuration;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>The server's settings layered from defaults, a --config JSON file, the environment and flags.</summary>
public sealed class ServerConfigurationTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("warren-config-").FullName;
    private static readonly Dictionary<string, string?> NoFlags = [];
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string ConfigFile(string json)
    {
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static WarrenServerOptions Load(string? file = null, Dictionary<string, string?>? flags = null, Dictionary<string, string?>? environment = null) =>
        ServerConfiguration.Load(WarrenServerOptions.Default, file, flags ?? NoFlags, environment ?? NoEnvironment);

    [Fact]
    public void Without_any_setting_the_defaults_hold()
    {
        Assert.Equal(WarrenServerOptions.Default, Load());
    }

    [Fact]
    public void Flags_override_the_environment_which_overrides_the_file()
    {
        var file = ConfigFile("""{ "Port": 1001, "Heartbeat": 11, "ChannelMax": 101 }""");

        var fileOnly = Load(file);
        var withEnvironment = Load(file, environment: new() { ["WARREN__PORT"] = "1002", ["WARREN__HEARTBEAT"] = "12" });
        var withFlags = Load(file, flags: new() { ["Port"] = "1003" }, environment: new() { ["WARREN__PORT"] = "1002", ["WARREN__HEARTBEAT"] = "12" });

        Assert.Equal((1001, (ushort)11, (ushort)101), (fileOnly.Port, fileOnly.Amqp.Heartbeat, fileOnly.Amqp.ChannelMax));
        Assert.Equal((1002, (ushort)12, (ushort)101), (withEnvironment.Port, withEnvironment.Amqp.Heartbeat, withEnvironment.Amqp.ChannelMax));
        Assert.Equal((1003, (ushort)12, (ushort)101), (withFlags.Port, withFlags.Amqp.Heartbeat, withFlags.Amqp.ChannelMax));
    }

    [Fact]
    public void Every_option_is_settable_in_the_file_the_environment_and_on_the_command_line()
    {
        foreach (var option in ServerOptions.All)
        {
            Assert.Equal(char.ToUpperInvariant(option.Key[0]), option.Key[0]);
            Assert.StartsWith("--", option.Flag, StringComparison.Ordinal);
        }
        var values = new Dictionary<string, string?> { ["DataDir"] = folder, ["MaxMessageSize"] = "1000", ["DefaultUser"] = "admin", ["InMemory"] = "false" };
        var file = ConfigFile(System.Text.Json.JsonSerializer.Serialize(values));
        var environment = values.ToDictionary(p => "WARREN__" + p.Key.ToUpperInvariant(), p => p.Value);

        foreach (var options in new[] { Load(file), Load(environment: environment), Load(flags: values) })
        {
            Assert.Equal((folder, 1000, "admin"), (options.DataDirectory, options.Amqp.MaxMessageSize, options.DefaultUser));
        }
    }

    [Fact]
    public void In_memory_wins_over_a_data_folder_wherever_each_is_set()
    {
        var options = Load(ConfigFile("""{ "InMemory": true }"""), flags: new() { ["DataDir"] = folder });

        Assert.Null(options.DataDirectory);
    }

    [Fact]
    public void The_RabbitMQ_style_default_user_variables_are_read()
    {
        var options = Load(environment: new() { ["WARREN_DEFAULT_USER"] = "admin", ["WARREN_DEFAULT_PASS"] = "pw" });

        Assert.Equal(("admin", "pw"), (options.DefaultUser, options.DefaultPassword));
    }

    [Fact]
    public void An_unknown_key_in_the_file_stops_the_start_naming_it()
    {
        var file = ConfigFile("""{ "Prot": 5672 }""");

        var error = Assert.Throws<ServerConfigurationException>(() => Load(file));

        Assert.Contains("unknown option 'Prot'", error.Message, StringComparison.Ordinal);
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nested_section_in_the_file_is_an_unknown_key()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => Load(ConfigFile("""{ "Amqp": { "FrameMax": 4096 } }""")));

        Assert.Contains("unknown option 'Amqp'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_environment_variable_with_the_prefix_stops_the_start_naming_it()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => Load(environment: new() { ["WARREN__PROT"] = "1" }));

        Assert.Contains("unknown option 'PROT'", error.Message, StringComparison.Ordinal);
        Assert.Contains("environment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Port", "abc", "'abc' is not an integer")]
    [InlineData("Port", "70000", "70000 is outside 0..65535")]
    [InlineData("Bind", "localhost", "'localhost' is not an IP address")]
    [InlineData("MemoryHighWatermark", "2", "2 is outside")]
    [InlineData("InMemory", "yes", "'yes' is not true or false")]
    [InlineData("DefaultUser", "", "it must not be empty")]
    public void A_bad_value_stops_the_start_naming_the_option_its_source_and_the_reason(string key, string value, string reason)
    {
        var error = Assert.Throws<ServerConfigurationException>(() => Load(environment: new() { ["WARREN__" + key.ToUpperInvariant()] = value }));

        Assert.Contains($"option '{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("environment (WARREN__*)", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_json_stops_the_start()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => Load(ConfigFile("Port = 5")));

        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_config_file_stops_the_start()
    {
        var error = Assert.Throws<ServerConfigurationException>(() => Load(Path.Combine(folder, "missing.json")));

        Assert.Contains("not found", error.Message, StringComparison.Ordinal);
    }
}
