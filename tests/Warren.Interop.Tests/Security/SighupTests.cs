using System.Diagnostics;
using System.Text;

namespace Warren.Interop.Tests.Security;

/// <summary>The <c>warren</c> executable reloads its TLS files on SIGHUP, and keeps running.</summary>
public sealed class SighupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SIGHUP_makes_the_warren_process_reload_its_certificate_and_keep_serving()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("SIGHUP is a POSIX signal");
        using var certificates = new TestCertificates();
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "warren.dll"), "--in-memory", "--port", "0", "--tls-port", "0", "--management-port", "0", "--prometheus-port", "0",
                     "--tls-cert", certificates.ServerCertificateFile, "--tls-key", certificates.ServerKeyFile })
            start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.Contains("listening on") == true) listening.TrySetResult();
            if (e.Data?.Contains("TLS certificate reloaded") == true) reloaded.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);

            // The files did not change, so only the signal can cause this reload (the file watcher reloads changes only).
            var (exit, kill) = await ExternalProcess.RunAsync("/bin/kill", ["-HUP", process.Id.ToString()], TimeSpan.FromSeconds(30), Ct);
            Assert.True(exit == 0, kill);
            await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

            Assert.False(process.HasExited, output.ToString());
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }
}
