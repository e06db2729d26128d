using System.Net.Http.Json;
using System.Text.Json;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// Several EventChat nodes (separate processes, <see cref="ApiNode"/>) sharing one PostgreSQL database and one Redis,
/// as behind a load balancer; a test picks the node of each tab itself. Nodes beat every second and count as dead
/// after 3 s of silence, so a killed node's connections are swept within a test's patience.
/// </summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;
    private static int _userCounter;

    private Cluster(RedisServer redis, Dictionary<string, string> settings) => (Redis, _settings) = (redis, settings);

    public RedisServer Redis { get; }

    public List<ApiNode> Nodes { get; } = [];

    public string DatabaseConnectionString => _settings["ConnectionStrings__EventChat"];

    /// <param name="postgres">A PostgreSQL of the test's own, for a test that stops it; the run's shared one otherwise.</param>
    public static async Task<Cluster> Start(int nodes = 2, PostgresServer? postgres = null)
    {
        var database = postgres is null
            ? await EventChatServer.NewDatabase()
            : await EventChatServer.CreateDatabase(postgres.ConnectionString, "eventchat_" + Guid.NewGuid().ToString("N")[..12]);
        var redis = await RedisServer.Start();
        var cluster = new Cluster(redis, new()
        {
            ["ConnectionStrings__EventChat"] = database,
            ["ConnectionStrings__Redis"] = redis.ConnectionString,
            ["Jwt__SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
            ["EventChat__Limits__ClientTimeout"] = "00:00:04",
            ["EventChat__Limits__KeepAlive"] = "00:00:01",
            ["EventChat__Redis__Heartbeat"] = "00:00:01",
            ["EventChat__Redis__NodeTimeout"] = "00:00:03",
            ["EventChat__DataDirectory"] = Directory.CreateTempSubdirectory("eventchat-cluster-").FullName,
        });
        for (var i = 0; i < nodes; i++)
            await cluster.AddNode();
        return cluster;
    }

    public async Task<ApiNode> AddNode()
    {
        var node = await ApiNode.Start(_settings);
        Nodes.Add(node);
        return node;
    }

    public Uri this[int node] => Nodes[node].BaseAddress;

    /// <summary>Registers a new user (through the first node); their REST client talks to <paramref name="node"/>.</summary>
    public async Task<TestUser> NewUser(string name = "user", int node = 0)
    {
        using var http = new HttpClient { BaseAddress = this[0] };
        var username = $"{name}{Interlocked.Increment(ref _userCounter)}_{Guid.NewGuid():N}"[..30];
        var response = await http.PostAsJsonAsync("/api/auth/register", new { username, password = TestUser.Password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TestUser(this[node], body.GetProperty("userId").GetGuid(), username, body.GetProperty("token").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
