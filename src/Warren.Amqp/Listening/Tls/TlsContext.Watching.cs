using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Warren.Amqp.Listening.Tls;

public sealed partial class TlsContext
{
    // A renewal writes several files (certificate, key, chain) or swaps a symbolic link: wait for
    // the writes to settle before reading them.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly List<FileSystemWatcher> _watchers = [];
    private Timer? _settle;
    private byte[] _fingerprint = [];

    private IEnumerable<string> Files => new[] { Options.CertificateFile, Options.KeyFile, Options.PfxFile, Options.CaFile }.OfType<string>();

    private void StartWatching()
    {
        _fingerprint = Fingerprint();
        _settle = new Timer(_ => ReloadIfChanged());
        // Whole folders, not single names: Kubernetes secrets and certbot replace symbolic links
        // or folders, which a watcher on one file name would miss.
        try
        {
            WatchFolders();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // Out of inotify instances, say: TLS still works, reloads then need Reload (SIGHUP).
            StopWatching();
            _logger.LogWarning("Cannot watch the TLS files for changes ({Error}); reload them with SIGHUP", e.Message);
        }
    }

    private void WatchFolders()
    {
        foreach (var folder in Files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct())
        {
            var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => _settle?.Change(Settle, Timeout.InfiniteTimeSpan);

    private void ReloadIfChanged()
    {
        byte[] fingerprint;
        try
        {
            fingerprint = Fingerprint();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Half-way through a renewal (a file missing for a moment): the next event retries.
            _logger.LogDebug("TLS files not readable yet: {Error}", e.Message);
            return;
        }
        if (fingerprint.AsSpan().SequenceEqual(_fingerprint)) return;
        _fingerprint = fingerprint;
        Reload();
    }

    // The files' contents, so events that change nothing (a touch, an unrelated file in the folder) reload nothing.
    private byte[] Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Files)
        {
            hash.AppendData(File.ReadAllBytes(file));
        }
        return hash.GetHashAndReset();
    }

    private void StopWatching()
    {
        foreach (var watcher in _watchers) watcher.Dispose();
        _watchers.Clear();
        _settle?.Dispose();
        _settle = null;
    }
}
