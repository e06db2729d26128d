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
    /// <param name="settings">Environment variables for every node, over the defaults here.</param>
    public static async Task<Cluster> Start(int nodes = 2, PostgresServer? postgres = null, IDictionary<string, string>? settings = null)
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
            ["EventChat__Privacy__MasterKey"] = EventChatServer.TestMasterKey,
            ["EventChat__Limits__ClientTimeout"] = "00:00:04",
            ["EventChat__Limits__KeepAlive"] = "00:00:01",
            // The fault tests send as fast as the server answers.
            ["EventChat__Limits__MessageBurst"] = "10000",
            ["EventChat__Limits__MessagesPerSecond"] = "10000",
            // Every node's users register from 127.0.0.1.
            ["EventChat__AuthLimits__AddressBurst"] = "1000000",
            ["EventChat__AuthLimits__QueuedRequests"] = "100000",
            ["EventChat__Redis__Heartbeat"] = "00:00:01",
            ["EventChat__Redis__NodeTimeout"] = "00:00:03",
            ["EventChat__DataDirectory"] = Directory.CreateTempSubdirectory("eventchat-cluster-").FullName,
        });
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            cluster._settings[key] = value;
        for (var i = 0; i < nodes; i++)
            await cluster.AddNode();
        return cluster;
    }

    public async Task<ApiNode> AddNode()
    {
        // Each node names its database sessions, so a test can tell which one holds the async daemon's lock.
        var settings = new Dictionary<string, string>(_settings)
        {
            ["ConnectionStrings__EventChat"] = $"{DatabaseConnectionString};Application Name=eventchat-node-{Nodes.Count}",
        };
        ApiNode node;
        try
        {
            node = await ApiNode.Start(settings);
        }
        catch (InvalidOperationException e)
        {
            // Once, on a machine shared with other builds, a node printed nothing for a minute; one more try.
            Console.Error.WriteLine($"A node did not start; trying once more. {e.Message}");
            node = await ApiNode.Start(settings);
        }
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

    /// <summary>
    /// The node whose database session holds an advisory lock, i.e. leads the async daemon (Marten's HotCold
    /// election), or null while none does.
    /// </summary>
    public async Task<int?> DaemonLeader()
    {
        await using var connection = new Npgsql.NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and a.application_name like 'eventchat-node-%' limit 1", connection);
        return await command.ExecuteScalarAsync() is string name ? int.Parse(name["eventchat-node-".Length..]) : null;
    }

    /// <summary>The end of each node's console log, for a failure message.</summary>
    public string RecentLogs() =>
        string.Join('\n', Nodes.Select((node, i) => $"--- node {i} ({node.BaseAddress}):\n{node.Output[Math.Max(0, node.Output.Length - 4000)..]}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
