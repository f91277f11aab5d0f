using System.Diagnostics;

namespace Warren.Interop.Tests.WarrenOnly;

/// <summary>
/// The README's 30-second example is samples/QuickStart/Program.cs, character for character, and
/// that program prints what the README promises. Both checks keep the docs from drifting again
/// (an earlier version ended before its consumer ran, and printed nothing).
/// </summary>
public sealed class ReadmeExampleTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void The_readme_example_is_the_quick_start_sample_as_written()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md")).ReplaceLineEndings("\n");
        var section = readme.IndexOf("## 30 seconds with RabbitMQ.Client", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no '30 seconds with RabbitMQ.Client' section");
        var start = readme.IndexOf("```csharp\n", section, StringComparison.Ordinal) + "```csharp\n".Length;
        var end = readme.IndexOf("```\n", start, StringComparison.Ordinal);
        var sample = File.ReadAllText(Path.Combine(Root, "samples", "QuickStart", "Program.cs")).ReplaceLineEndings("\n");
        Assert.Equal(sample, readme[start..end]);
    }

    [Fact]
    public async Task The_quick_start_sample_prints_the_event_its_consumer_received()
    {
        var ct = TestContext.Current.CancellationToken;
        // Built beside this test assembly's configuration (Debug or Release) by the project reference.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var program = Path.Combine(Root, "samples", "QuickStart", "bin", configuration, "net10.0", "QuickStart.dll");
        Assert.True(File.Exists(program), $"{program} was not built");

        using var process = Process.Start(new ProcessStartInfo("dotnet", [program])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await errors}");
        Assert.Equal("""orders.placed: {"id":42}""", (await output).Trim());
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Warren.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Warren.sln not found above " + AppContext.BaseDirectory);
    }
}
