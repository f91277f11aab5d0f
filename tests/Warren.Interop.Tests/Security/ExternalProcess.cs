using System.Diagnostics;
using System.Text;

namespace Warren.Interop.Tests.Security;

/// <summary>Runs another program (python, openssl) to completion, with a timeout, collecting its output.</summary>
public static class ExternalProcess
{
    public const string Python = "/usr/bin/python3";

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}: {output}");
        }
        process.WaitForExit(); // drains the output events
        lock (output) return (process.ExitCode, output.ToString());
    }

    /// <summary>Skips the test (one line) when /usr/bin/python3 cannot import <paramref name="module"/>.</summary>
    public static async Task RequirePythonModuleAsync(string module, string package, CancellationToken cancellationToken)
    {
        if (!File.Exists(Python)) Assert.Skip($"{Python} is missing (apt-get install {package})");
        var (exit, _) = await RunAsync(Python, ["-c", $"import {module}"], TimeSpan.FromSeconds(30), cancellationToken);
        if (exit != 0) Assert.Skip($"{package} is not installed for {Python} (apt-get install {package})");
    }

    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "Security", name);
}
