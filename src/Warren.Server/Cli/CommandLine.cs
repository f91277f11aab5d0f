using System.CommandLine;
using System.CommandLine.Parsing;

namespace Warren.Server.Cli;

/// <summary>
/// Runs the <c>warren</c> command line with the exit codes the docs give: 2 when the command line
/// is wrong (a missing required option, an unknown option or command), where System.CommandLine
/// returns 1, the code Warren keeps for "the broker or the queue said no".
/// </summary>
public static class CommandLine
{
    /// <summary>The exit code for a wrong command line.</summary>
    public const int UsageError = 2;

    /// <summary>Parses <paramref name="args"/> and runs the command, or prints the errors and returns <see cref="UsageError"/>.</summary>
    public static Task<int> InvokeAsync(RootCommand root, string[] args, InvocationConfiguration configuration)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count == 0) return parsed.InvokeAsync(configuration);
        // One line, like the commands' own errors: "warren errors list: Option '--service' is required. (…)".
        var path = CommandPath(parsed.CommandResult);
        (configuration.Error ?? Console.Error).WriteLine($"{path}: {string.Join(" ", parsed.Errors.Select(e => e.Message))} (see '{path} --help')");
        return Task.FromResult(UsageError);
    }

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? result = command; result is CommandResult c; result = c.Parent)
        {
            names.Insert(0, c.Parent is null ? "warren" : c.Command.Name);
        }
        return string.Join(' ', names);
    }
}
