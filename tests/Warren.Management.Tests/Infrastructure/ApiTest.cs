using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Warren.Management.Tests.Infrastructure;

/// <summary>
/// Base of every API case: an HTTP client as guest, unique names, and clean-up of what a test
/// declared. Cases check what any compatible implementation must give: codes, fields, values.
/// </summary>
public abstract class ApiTest(ApiTarget target) : IAsyncLifetime
{
    /// <summary>Generous: the machine running the tests is shared.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly List<string> _queues = [];
    private readonly List<string> _exchanges = [];
    private readonly List<IConnection> _connections = [];
    private HttpClient? _http;

    protected ApiTarget Target { get; } = target;

    protected HttpClient Http => _http ??= Target.CreateClient();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual ValueTask InitializeAsync()
    {
        Target.SkipIfUnavailable();
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var c in _connections)
        {
            try { await c.CloseAsync(); } catch (Exception) { /* closed by the test */ }
            c.Dispose();
        }
        if (Target.ApiUri is not null)
        {
            foreach (var q in _queues) await Http.DeleteAsync($"api/queues/%2F/{Uri.EscapeDataString(q)}");
            foreach (var x in _exchanges) await Http.DeleteAsync($"api/exchanges/%2F/{Uri.EscapeDataString(x)}");
        }
        _http?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static string NewName(string kind) => $"mgmt.{kind}.{Guid.NewGuid():N}";

    protected static string Path(params string[] segments) => "api/" + string.Join('/', segments.Select(Uri.EscapeDataString));

    protected async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? json = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await (client ?? Http).SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    protected Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    protected async Task<JsonNode> GetOkAsync(string path)
    {
        var (status, body, _) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"GET {path}: {(int)status} {body?.ToJsonString()}");
        return body!;
    }

    /// <summary>PUTs a queue on "/" and remembers it for clean-up.</summary>
    protected async Task<string> PutQueueAsync(string? name = null, string body = """{"durable":false}""")
    {
        name ??= NewName("q");
        var (status, reply, _) = await SendAsync(HttpMethod.Put, Path("queues", "/", name), body);
        Assert.True(status == HttpStatusCode.Created, $"PUT queue: {(int)status} {reply?.ToJsonString()}");
        _queues.Add(name);
        return name;
    }

    protected async Task<string> PutExchangeAsync(string type = "direct", string? name = null)
    {
        name ??= NewName("x");
        var (status, reply, _) = await SendAsync(HttpMethod.Put, Path("exchanges", "/", name), $$"""{"type":"{{type}}","durable":false}""");
        Assert.True(status == HttpStatusCode.Created, $"PUT exchange: {(int)status} {reply?.ToJsonString()}");
        _exchanges.Add(name);
        return name;
    }

    protected async Task<JsonNode> PublishAsync(string exchange, string routingKey, string payload, string encoding = "string", string properties = "{}")
    {
        var json = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["payload"] = payload,
            ["payload_encoding"] = encoding,
            ["properties"] = JsonNode.Parse(properties),
        }.ToJsonString();
        var (status, body, _) = await SendAsync(HttpMethod.Post, Path("exchanges", "/", exchange, "publish"), json);
        Assert.True(status == HttpStatusCode.OK, $"publish: {(int)status} {body?.ToJsonString()}");
        return body!;
    }

    protected async Task<IConnection> ConnectAsync(string? clientName = null)
    {
        var c = await Target.ConnectAsync(clientName);
        _connections.Add(c);
        return c;
    }

    /// <summary>Polls until the condition holds (RabbitMQ's statistics arrive every few seconds); fails at the deadline.</summary>
    protected static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}; last value: {value}");
            await Task.Delay(100, Ct);
        }
    }

    protected static void AssertError(HttpStatusCode expected, (HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response) reply)
    {
        Assert.True(reply.Status == expected, $"expected {(int)expected}, got {(int)reply.Status} {reply.Body?.ToJsonString()}");
        Assert.NotNull(reply.Body?["error"]);
        Assert.NotNull(reply.Body?["reason"]);
    }
}
