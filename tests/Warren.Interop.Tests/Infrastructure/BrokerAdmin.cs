using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warren.Broker.Policies;
using Warren.Broker.Security;
using Warren.Broker.VirtualHosts;

namespace Warren.Interop.Tests.Infrastructure;

/// <summary>
/// What the security and policy cases set up besides AMQP: users, permissions, limits, policies.
/// On Warren it drives the broker model directly; on RabbitMQ its management HTTP API, so the
/// same case runs against both.
/// </summary>
public interface IBrokerAdmin
{
    Task PutUserAsync(string name, string password, params string[] tags);
    Task DeleteUserAsync(string name);
    Task SetPermissionsAsync(string user, string vhost, string configure, string write, string read);
    Task SetTopicPermissionsAsync(string user, string vhost, string exchange, string write, string read);
    Task SetUserLimitAsync(string user, string limit, long value);
    Task PutVirtualHostAsync(string name);
    Task DeleteVirtualHostAsync(string name);
    Task SetVirtualHostLimitAsync(string vhost, string limit, long value);
    Task SetPolicyAsync(string vhost, string name, string pattern, string applyTo, int priority, Dictionary<string, object> definition, bool operatorPolicy = false);
    Task DeletePolicyAsync(string vhost, string name, bool operatorPolicy = false);
    /// <summary>The queue's "policy", "operator_policy" and "effective_policy_definition" (as JSON text with sorted keys).</summary>
    Task<(string? Policy, string? OperatorPolicy, string Effective)> GetQueuePolicyAsync(string vhost, string queue);
}

/// <summary>Administers an embedded Warren through its broker model.</summary>
public sealed class WarrenAdmin(Warren.Broker.Broker broker) : IBrokerAdmin
{
    public Task PutUserAsync(string name, string password, params string[] tags)
    {
        broker.Users.PutUser(name, password, tags);
        return Task.CompletedTask;
    }

    public Task DeleteUserAsync(string name)
    {
        broker.Users.DeleteUser(name);
        return Task.CompletedTask;
    }

    public Task SetPermissionsAsync(string user, string vhost, string configure, string write, string read)
    {
        broker.Users.SetPermission(new Permission(user, vhost, configure, write, read));
        return Task.CompletedTask;
    }

    public Task SetTopicPermissionsAsync(string user, string vhost, string exchange, string write, string read)
    {
        broker.Users.SetTopicPermission(new TopicPermission(user, vhost, exchange, write, read));
        return Task.CompletedTask;
    }

    public Task SetUserLimitAsync(string user, string limit, long value)
    {
        Assert.True(broker.Users.TryGetUser(user, out var current));
        broker.Users.SetLimits(user, limit == UserLimits.MaxConnectionsKey
            ? current.Limits with { MaxConnections = value }
            : current.Limits with { MaxChannels = value });
        return Task.CompletedTask;
    }

    public Task PutVirtualHostAsync(string name)
    {
        broker.AddVirtualHost(name);
        return Task.CompletedTask;
    }

    public Task DeleteVirtualHostAsync(string name)
    {
        broker.DeleteVirtualHost(name);
        return Task.CompletedTask;
    }

    public Task SetVirtualHostLimitAsync(string vhost, string limit, long value)
    {
        var host = broker.RequireVirtualHost(vhost);
        host.SetLimits(limit == VirtualHostLimits.MaxQueuesKey ? host.Limits with { MaxQueues = value } : host.Limits with { MaxConnections = value });
        return Task.CompletedTask;
    }

    public Task SetPolicyAsync(string vhost, string name, string pattern, string applyTo, int priority, Dictionary<string, object> definition, bool operatorPolicy = false)
    {
        Assert.True(Policy.TryParseTarget(applyTo, out var target));
        var values = definition.ToDictionary(p => p.Key, p => p.Value is int i ? (object?)(long)i : p.Value);
        var policy = new Policy(vhost, name, pattern, target, priority, values);
        var host = broker.RequireVirtualHost(vhost);
        if (operatorPolicy) host.SetOperatorPolicy(policy);
        else host.SetPolicy(policy);
        return Task.CompletedTask;
    }

    public Task DeletePolicyAsync(string vhost, string name, bool operatorPolicy = false)
    {
        var host = broker.RequireVirtualHost(vhost);
        if (operatorPolicy) host.DeleteOperatorPolicy(name);
        else host.DeletePolicy(name);
        return Task.CompletedTask;
    }

    public Task<(string? Policy, string? OperatorPolicy, string Effective)> GetQueuePolicyAsync(string vhost, string queue)
    {
        Assert.True(broker.RequireVirtualHost(vhost).TryGetQueue(queue, out var q));
        var effective = new JsonObject();
        foreach (var (key, value) in q.EffectivePolicyDefinition.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            effective[key] = JsonNode.Parse(Warren.Broker.Parameters.JsonValues.ToJson(value));
        }
        return Task.FromResult((q.PolicyName, q.OperatorPolicyName, effective.ToJsonString()));
    }
}

/// <summary>Administers a RabbitMQ through its management HTTP API (AMQP port + 10000 unless WARREN_TEST_RABBITMQ_MANAGEMENT_URI says otherwise).</summary>
public sealed class RabbitMqAdmin : IBrokerAdmin, IDisposable
{
    private readonly HttpClient http;

    public RabbitMqAdmin(Uri amqpUri)
    {
        var management = Environment.GetEnvironmentVariable("WARREN_TEST_RABBITMQ_MANAGEMENT_URI") is { Length: > 0 } text
            ? new Uri(text)
            : new Uri($"http://{amqpUri.Host}:{amqpUri.Port + 10000}/");
        http = new HttpClient { BaseAddress = management, Timeout = TimeSpan.FromSeconds(30) };
        var credentials = Uri.UnescapeDataString(amqpUri.UserInfo is { Length: > 0 } info ? info : "guest:guest");
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
    }

    public void Dispose() => http.Dispose();

    private static string E(string segment) => Uri.EscapeDataString(segment);

    private async Task SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, "api/" + path);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        if (method == HttpMethod.Delete && response.StatusCode == System.Net.HttpStatusCode.NotFound) return;
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
    }

    public Task PutUserAsync(string name, string password, params string[] tags) =>
        SendAsync(HttpMethod.Put, $"users/{E(name)}", new { password, tags = string.Join(",", tags) });

    public Task DeleteUserAsync(string name) => SendAsync(HttpMethod.Delete, $"users/{E(name)}");

    public Task SetPermissionsAsync(string user, string vhost, string configure, string write, string read) =>
        SendAsync(HttpMethod.Put, $"permissions/{E(vhost)}/{E(user)}", new { configure, write, read });

    public Task SetTopicPermissionsAsync(string user, string vhost, string exchange, string write, string read) =>
        SendAsync(HttpMethod.Put, $"topic-permissions/{E(vhost)}/{E(user)}", new { exchange, write, read });

    public Task SetUserLimitAsync(string user, string limit, long value) =>
        SendAsync(HttpMethod.Put, $"user-limits/{E(user)}/{E(limit)}", new { value });

    public Task PutVirtualHostAsync(string name) => SendAsync(HttpMethod.Put, $"vhosts/{E(name)}");

    public Task DeleteVirtualHostAsync(string name) => SendAsync(HttpMethod.Delete, $"vhosts/{E(name)}");

    public Task SetVirtualHostLimitAsync(string vhost, string limit, long value) =>
        SendAsync(HttpMethod.Put, $"vhost-limits/{E(vhost)}/{E(limit)}", new { value });

    public Task SetPolicyAsync(string vhost, string name, string pattern, string applyTo, int priority, Dictionary<string, object> definition, bool operatorPolicy = false) =>
        SendAsync(HttpMethod.Put, $"{(operatorPolicy ? "operator-policies" : "policies")}/{E(vhost)}/{E(name)}",
            new Dictionary<string, object> { ["pattern"] = pattern, ["apply-to"] = applyTo, ["priority"] = priority, ["definition"] = definition });

    public Task DeletePolicyAsync(string vhost, string name, bool operatorPolicy = false) =>
        SendAsync(HttpMethod.Delete, $"{(operatorPolicy ? "operator-policies" : "policies")}/{E(vhost)}/{E(name)}");

    public async Task<(string? Policy, string? OperatorPolicy, string Effective)> GetQueuePolicyAsync(string vhost, string queue)
    {
        var json = await http.GetFromJsonAsync<JsonElement>($"api/queues/{E(vhost)}/{E(queue)}", TestContext.Current.CancellationToken);
        static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        var effective = new JsonObject();
        if (json.TryGetProperty("effective_policy_definition", out var definition) && definition.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in definition.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                effective[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }
        return (Text(json, "policy"), Text(json, "operator_policy"), effective.ToJsonString());
    }
}
