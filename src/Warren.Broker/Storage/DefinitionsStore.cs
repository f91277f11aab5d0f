using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warren.Broker.Storage;

/// <summary>One change to the durable definitions.</summary>
/// <param name="Op">What happened: a kind (vhost, exchange, queue, binding, user, permission, topic-permission, policy, operator-policy, parameter, global-parameter, vhost-limits) and + or -.</param>
/// <param name="VirtualHost">The virtual host.</param>
/// <param name="Name">The exchange or queue; for a binding, its source exchange.</param>
public sealed record DefinitionRecord(string Op, string VirtualHost, string Name)
{
    /// <summary>Exchange type.</summary>
    public string? Type { get; init; }
    /// <summary>Exchange or queue auto-delete flag.</summary>
    public bool AutoDelete { get; init; }
    /// <summary>Exchange internal flag.</summary>
    public bool Internal { get; init; }
    /// <summary>Arguments, in the storage value encoding, base64.</summary>
    public string? Arguments { get; init; }
    /// <summary>Binding destination.</summary>
    public string? Destination { get; init; }
    /// <summary>True when the binding destination is a queue.</summary>
    public bool DestinationIsQueue { get; init; }
    /// <summary>Binding key.</summary>
    public string? RoutingKey { get; init; }
    /// <summary>User: password hash in RabbitMQ's format (base64 of salt and hash; the algorithm is in <see cref="Type"/>).</summary>
    public string? PasswordHash { get; init; }
    /// <summary>User: tags.</summary>
    public string[]? Tags { get; init; }
    /// <summary>User limits (max-connections, max-channels) or vhost limits (max-connections, max-queues); null entries: unlimited.</summary>
    public long?[]? Limits { get; init; }
    /// <summary>Permission: configure, write, read; topic permission: write, read; policy: pattern, apply-to.</summary>
    public string[]? Patterns { get; init; }
    /// <summary>Policy priority.</summary>
    public int Priority { get; init; }
    /// <summary>Parameter value as JSON text.</summary>
    public string? Value { get; init; }

    /// <summary>Encodes an argument table for a record.</summary>
    public static string? EncodeArguments(IReadOnlyDictionary<string, object?>? arguments) =>
        arguments is null || arguments.Count == 0 ? null : Convert.ToBase64String(MessageSerializer.SerializeTable(arguments));

    /// <summary>Decodes an argument table from a record.</summary>
    public static Dictionary<string, object?>? DecodeArguments(string? encoded) =>
        encoded is null ? null : MessageSerializer.DeserializeTable(Convert.FromBase64String(encoded));

    internal string Key => Op[..^1] switch
    {
        "binding" => $"binding\0{VirtualHost}\0{Name}\0{Destination}\0{DestinationIsQueue}\0{RoutingKey}\0{Arguments}",
        "topic-permission" => $"topic-permission\0{VirtualHost}\0{Name}\0{Destination}",
        "parameter" => $"parameter\0{VirtualHost}\0{Type}\0{Name}",
        var kind => $"{kind}\0{VirtualHost}\0{Name}",
    };
}

[JsonSerializable(typeof(DefinitionRecord))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
internal sealed partial class DefinitionsJson : JsonSerializerContext;

/// <summary>
/// The durable definitions as a log of changes (one checksummed JSON record each), so a
/// declaration costs one append however many definitions exist. At start the log is replayed and
/// rewritten compacted.
/// </summary>
public sealed class DefinitionsStore
{
    private readonly object _sync = new();
    private RecordFile? _log;

    /// <summary>Uses the log at <paramref name="path"/>.</summary>
    public DefinitionsStore(string path) => Path = path;

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Replays the log: the definitions alive now, in the order they were made. Rewrites the log compacted.</summary>
    public IReadOnlyList<DefinitionRecord> Load()
    {
        lock (_sync)
        {
            var live = new Dictionary<string, DefinitionRecord>();
            var order = new List<string>();
            RecordFile.ReadAll(Path, (_, payload) =>
            {
                DefinitionRecord? record;
                try
                {
                    record = JsonSerializer.Deserialize(payload.Span, DefinitionsJson.Default.DefinitionRecord);
                }
                catch (JsonException)
                {
                    return false;
                }
                if (record is null) return true;
                var key = record.Key;
                if (record.Op == "vhost-")
                {
                    // A deleted virtual host takes everything in it along.
                    foreach (var (liveKey, liveRecord) in live.ToArray())
                    {
                        if (liveRecord.VirtualHost == record.VirtualHost && !liveRecord.Op.StartsWith("user", StringComparison.Ordinal)) live.Remove(liveKey);
                    }
                }
                if (record.Op.EndsWith('+'))
                {
                    if (live.TryAdd(key, record)) order.Add(key);
                    else live[key] = record;
                }
                else
                {
                    live.Remove(key);
                }
                return true;
            });
            var result = new List<DefinitionRecord>(live.Count);
            foreach (var key in order)
            {
                if (live.Remove(key, out var record)) result.Add(record);
            }
            Compact(result);
            return result;
        }
    }

    private void Compact(List<DefinitionRecord> records)
    {
        _log?.Dispose();
        var temporary = Path + ".tmp";
        File.Delete(temporary);
        using (var file = RecordFile.Open(temporary, 0))
        {
            foreach (var record in records) file.Append(JsonSerializer.SerializeToUtf8Bytes(record, DefinitionsJson.Default.DefinitionRecord));
            file.WriteOut();
            RandomAccess.FlushToDisk(file.Handle);
        }
        File.Move(temporary, Path, overwrite: true);
        _log = RecordFile.Open(Path, new FileInfo(Path).Length);
    }

    /// <summary>Appends a change and writes it to the file at once (it survives a killed process), then to disk.</summary>
    public void Append(DefinitionRecord record)
    {
        lock (_sync)
        {
            if (_log is null) throw new InvalidOperationException("Load the definitions before changing them.");
            _log.Append(JsonSerializer.SerializeToUtf8Bytes(record, DefinitionsJson.Default.DefinitionRecord));
            _log.WriteOut();
            // Definitions change rarely; their durability is not worth a batch of its own.
            RandomAccess.FlushToDisk(_log.Handle);
        }
    }

    /// <summary>Closes the log.</summary>
    public void Close()
    {
        lock (_sync)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    /// <summary>A file-name-safe key for a queue: a hash of its virtual host and name.</summary>
    public static string QueueKey(string virtualHost, string queue)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(virtualHost + "\0" + queue));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
