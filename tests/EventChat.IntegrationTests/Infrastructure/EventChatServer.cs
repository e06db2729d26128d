using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api;
using EventChat.Api.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// The real EventChat app on a real Kestrel port against the real PostgreSQL, shared by every test
/// in the run. Tests isolate themselves by registering fresh users, not by fresh databases.
/// </summary>
public sealed class EventChatServer : IAsyncDisposable
{
    private static readonly Lazy<PostgresServer> Postgres = new(PostgresServer.Start);
    private static readonly Lazy<Task<EventChatServer>> Shared = new(() => StartAsync("eventchat_tests"));

    private static int _userCounter;

    private EventChatServer(WebApplication app, Uri baseAddress, string connectionString)
    {
        (App, BaseAddress, _connectionString) = (app, baseAddress, connectionString);
        _moderator = new(() => Register(ModeratorName));
        _admin = new(() => Register(AdminName));
    }

    public WebApplication App { get; }
    public Uri BaseAddress { get; }
    public static ConcurrentQueue<string> LogLines { get; } = new();

    public static Task<EventChatServer> Instance => Shared.Value;

    /// <summary>The one user the test server names a moderator, and the one it names an admin.</summary>
    public const string ModeratorName = "site-moderator";

    /// <summary>The master key every test app starts with, unless a test overrides it.</summary>
    public const string MasterKeyName = "EventChat:Privacy:MasterKey";
    public const string TestMasterKey = "ZXZlbnRjaGF0LXRlc3QtbWFzdGVyLWtleS0zMmJ5dGU=";
    public const string AdminName = "site-admin";

    /// <summary>What the app's backend sends to the server API.</summary>
    public const string ServerSecret = "the-app-backends-server-api-secret-0123456789";

    /// <summary>The one foreign web origin the test server lets use the hub and the API.</summary>
    public const string AllowedOrigin = "https://allowed.example";

    private readonly string _connectionString;
    private readonly Lazy<Task<TestUser>> _moderator;
    private readonly Lazy<Task<TestUser>> _admin;

    public Task<TestUser> Moderator => _moderator.Value;
    public Task<TestUser> Admin => _admin.Value;

    /// <summary>
    /// A second app with a database of its own, for tests that must not share the event store or read models
    /// with the rest of the run (rebuilding every projection, counting everything). Stop it when done.
    /// </summary>
    public static Task<EventChatServer> StartIsolated(IDictionary<string, string?>? settings = null) =>
        StartAsync("eventchat_" + Guid.NewGuid().ToString("N")[..12], settings);

    /// <summary>Stops this app and starts it again on the same database with <paramref name="settings"/>, as an operator's restart would.</summary>
    public async Task<EventChatServer> Restart(IDictionary<string, string?>? settings = null)
    {
        await Stop();
        return await StartOn(_connectionString, settings);
    }

    public async Task Stop()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    /// <summary>A server of a test's own is stopped when the test leaves its scope: <c>await using var server = …</c>.</summary>
    public async ValueTask DisposeAsync() => await Stop();

    private static async Task<EventChatServer> StartAsync(string database, IDictionary<string, string?>? settings = null) =>
        await StartOn(await CreateDatabase(Postgres.Value.ConnectionString, database), settings);

    private static async Task<EventChatServer> StartOn(string connectionString, IDictionary<string, string?>? settings)
    {
        var issuer = await TestIssuer.Instance;
        var app = EventChatHost.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:EventChat"] = connectionString,
                ["Jwt:SigningKey"] = "integration-tests-signing-key-that-is-long-enough-0123456789",
                // No grace after a token's expiry, so a test can see an expired token refused without waiting 30 s.
                ["Jwt:ClockSkew"] = "00:00:00",
                // A lockout short enough to wait out in a test; the per-address limit high enough that the whole run,
                // all from 127.0.0.1, never reaches it (Security tests it on a server of its own).
                ["EventChat:Login:MaxFailuresPerUser"] = "3",
                ["EventChat:Login:MaxFailuresPerAddress"] = "10000",
                ["EventChat:Login:Window"] = "00:00:04",
                // The whole run registers and logs in from 127.0.0.1, many at once: no address budget it could spend,
                // and room for everyone to wait their turn. AuthEndpointLimits tests the defaults on servers of their own.
                ["EventChat:AuthLimits:AddressBurst"] = "1000000",
                ["EventChat:AuthLimits:AddressRequestsPerMinute"] = "1000000",
                ["EventChat:AuthLimits:QueuedRequests"] = "100000",
                ["EventChat:AllowedOrigins:0"] = AllowedOrigin,
                [MasterKeyName] = TestMasterKey,
                // Short enough that a silently dead connection is noticed within a test's patience.
                ["EventChat:Limits:ClientTimeout"] = "00:00:04",
                ["EventChat:Limits:KeepAlive"] = "00:00:01",
                ["EventChat:Attachments:MaxBytes"] = "1048576",
                ["EventChat:Attachments:Folder"] = Directory.CreateTempSubdirectory("eventchat-test-files-").FullName,
                ["EventChat:Moderators:0"] = ModeratorName,
                ["EventChat:Admins:0"] = AdminName,
                [$"{ServerApiSecret.Section}:Secret"] = ServerSecret,
            });
            // The app's identity provider, so the app's users can come with its tokens (AppUsers).
            builder.Configuration.AddInMemoryCollection(issuer.Settings());
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(new CapturingLoggerProvider(LogLines));
        });
        await app.StartAsync();
        return new(app, new Uri(app.Urls.First()), connectionString);
    }

    /// <summary>A new, empty database on the run's PostgreSQL (e.g. for a cluster of nodes); answers its connection string.</summary>
    public static Task<string> NewDatabase() => CreateDatabase(Postgres.Value.ConnectionString, "eventchat_" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The run's PostgreSQL itself, for tests that stop and start it.</summary>
    public static PostgresServer PostgreSQL => Postgres.Value;

    internal static async Task<string> CreateDatabase(string serverConnectionString, string name)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name, MaxPoolSize = 200 }.ConnectionString;
    }

    public HttpClient Http(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>Registers a new user with a unique name; every test starts from strangers.</summary>
    public async Task<TestUser> NewUser(string name = "user")
    {
        return await Register($"{name}{Interlocked.Increment(ref _userCounter)}_{Guid.NewGuid():N}"[..30]);
    }

    /// <summary>Registers exactly <paramref name="username"/>, for tests about a particular name.</summary>
    public Task<TestUser> Register(string username) => Authenticate("/api/auth/register", username);

    /// <summary>Logs a registered user in again: a new token, with the account's role as of now.</summary>
    public Task<TestUser> LogIn(string username) => Authenticate("/api/auth/login", username);

    private async Task<TestUser> Authenticate(string path, string username)
    {
        using var http = Http();
        var response = await http.PostAsJsonAsync(path, new { username, password = TestUser.Password });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TestUser(BaseAddress, body.GetProperty("userId").GetGuid(), body.GetProperty("username").GetString()!, body.GetProperty("token").GetString()!);
    }
}
