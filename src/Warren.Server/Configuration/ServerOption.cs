using System.Globalization;
using System.Net;

namespace Warren.Server.Configuration;

/// <summary>
/// One setting of the <c>warren</c> server, settable three ways: a command-line flag
/// (<c>--data-dir</c>), a key in the <c>--config</c> JSON file (<c>DataDir</c>, the flag in
/// PascalCase) and an environment variable (<c>WARREN__DATADIR</c>; case does not matter).
/// </summary>
/// <param name="Flag">The command-line flag, e.g. --port.</param>
/// <param name="Description">What it does, for --help.</param>
/// <param name="Apply">Reads the text value and applies it; throws <see cref="FormatException"/> with a reason for a bad value.</param>
/// <param name="IsSwitch">A flag without a value (--in-memory); in the file and environment it takes true or false.</param>
/// <param name="Order">Options apply in ascending order, so one that overrides others (--in-memory) comes last.</param>
public sealed record ServerOption(string Flag, string Description, Func<WarrenServerOptions, string, WarrenServerOptions> Apply, bool IsSwitch = false, int Order = 0)
{
    /// <summary>The key in the JSON file and (after WARREN__) in the environment: the flag in PascalCase, e.g. DataDir.</summary>
    public string Key { get; } = string.Concat(Flag.TrimStart('-').Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>An integer option within [min, max].</summary>
    public static ServerOption Int(string flag, string description, int min, int max, Func<WarrenServerOptions, int, WarrenServerOptions> apply) =>
        new(flag, description, (o, text) => apply(o, (int)ParseInteger(text, min, max)));

    /// <summary>A 64-bit integer option within [min, max].</summary>
    public static ServerOption Long(string flag, string description, long min, long max, Func<WarrenServerOptions, long, WarrenServerOptions> apply) =>
        new(flag, description, (o, text) => apply(o, ParseInteger(text, min, max)));

    /// <summary>A number option within [min, max].</summary>
    public static ServerOption Double(string flag, string description, double min, double max, Func<WarrenServerOptions, double, WarrenServerOptions> apply) =>
        new(flag, description, (o, text) =>
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) throw new FormatException($"'{text}' is not a number");
            if (value < min || value > max) throw new FormatException($"{text} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
            return apply(o, value);
        });

    /// <summary>A text option; empty text is refused.</summary>
    public static ServerOption Text(string flag, string description, Func<WarrenServerOptions, string, WarrenServerOptions> apply) =>
        new(flag, description, (o, text) => text.Length == 0 ? throw new FormatException("it must not be empty") : apply(o, text));

    /// <summary>An IP address option.</summary>
    public static ServerOption Address(string flag, string description, Func<WarrenServerOptions, IPAddress, WarrenServerOptions> apply) =>
        new(flag, description, (o, text) => IPAddress.TryParse(text, out var address)
            ? apply(o, address)
            : throw new FormatException($"'{text}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1)"));

    /// <summary>A switch: given on the command line it is true; in the file or environment, true or false.</summary>
    public static ServerOption Switch(string flag, string description, Func<WarrenServerOptions, bool, WarrenServerOptions> apply, int order = 0) =>
        new(flag, description, (o, text) => bool.TryParse(text, out var value) ? apply(o, value) : throw new FormatException($"'{text}' is not true or false"), IsSwitch: true, order);

    private static long ParseInteger(string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) throw new FormatException($"'{text}' is not an integer");
        if (value < min || value > max) throw new FormatException($"{value} is outside {min}..{max}");
        return value;
    }
}
