using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventChat.LoadTests;

public sealed record Account(Guid UserId, string Username, string Token);

/// <summary>The parts of a <c>newMessage</c> / <c>stream-chat</c> push the receiver reads; the rest of the payload is skipped.</summary>
public sealed record PushedMessage(string? Content);

public sealed record Push(PushedMessage? Message);

/// <summary>REST set-up calls and hub connections against one EventChat server.</summary>
public sealed class EventChatClient(Uri baseUrl, ProcessProbe server, bool scrapeMetrics = true) : IDisposable
{
    public const string Password = "load-test-password";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public Uri BaseUrl => baseUrl;

    /// <summary>A prefix no earlier run used, so runs against the same database never collide on usernames.</summary>
    public static string NewRunPrefix() =>
        "lt" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private sealed record RegisterAnswer(Guid UserId, string Username, string Token);

    private sealed record IdAnswer(Guid Id);

    public async Task<Account> Register(string username, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync("/api/auth/register", new { username, password = Password }, Json, ct);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new HttpRequestException("register: 429, the server's limit on registrations and logins from one address. Start it with "
                + "raised EventChat__AuthLimits__AddressBurst and EventChat__AuthLimits__AddressRequestsPerMinute (./eventchat bench does).");
        await EnsureSuccess(response, "register", ct);
        var answer = await response.Content.ReadFromJsonAsync<RegisterAnswer>(Json, ct) ?? throw new InvalidOperationException("register: empty answer");
        return new(answer.UserId, answer.Username, answer.Token);
    }

    /// <summary>Registers <paramref name="count"/> users a few at a time (each costs the server a password hash).</summary>
    public async Task<Account[]> RegisterMany(string prefix, string role, int count, CancellationToken ct)
    {
        var accounts = new Account[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (i, token) => accounts[i] = await Register(string.Create(CultureInfo.InvariantCulture, $"{prefix}_{role}{i}"), token));
        return accounts;
    }

    public async Task<Guid> CreateGroup(Account creator, IEnumerable<Guid> others, string title, CancellationToken ct)
    {
        using var request = Authorized(HttpMethod.Post, "/api/chat/conversations", creator, new { participantIds = others.ToArray(), title });
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccess(response, "create group", ct);
        return (await response.Content.ReadFromJsonAsync<IdAnswer>(Json, ct))!.Id;
    }

    public async Task<Guid> StartLiveSession(Account host, string title, CancellationToken ct)
    {
        using var request = Authorized(HttpMethod.Post, "/api/streams", host, new { title });
        using var response = await _http.SendAsync(request, ct);
        await EnsureSuccess(response, "start live session", ct);
        return (await response.Content.ReadFromJsonAsync<IdAnswer>(Json, ct))!.Id;
    }

    private static HttpRequestMessage Authorized(HttpMethod method, string path, Account account, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Json) };
        request.Headers.Authorization = new("Bearer", account.Token);
        return request;
    }

    private static async Task EnsureSuccess(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(ct);
        throw new HttpRequestException($"{what}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
    }

    /// <summary>A hub connection as a real client opens it: WebSockets, no negotiate round trip, the token in a header.</summary>
    public static HubConnection Hub(Uri baseUrl, string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(baseUrl, "/hubs/chat"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();

    /// <summary>
    /// Opens one connection per (account, index) pair, a few dozen at a time. A connection the server closes
    /// afterwards (other than at the end of the run) counts as an error.
    /// </summary>
    public static async Task<HubConnection[]> Connect(Uri baseUrl, IReadOnlyList<Account> owners, ErrorCounter errors, Func<bool> stopping,
        Action<HubConnection, int>? configure, CancellationToken ct)
    {
        var connections = new HubConnection[owners.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, owners.Count), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
            async (i, token) => connections[i] = await ConnectOne(baseUrl, owners[i], errors, stopping, configure is null ? null : c => configure(c, i), token));
        return connections;
    }

    /// <summary>Opens one connection for <paramref name="owner"/>; a close the server makes while <paramref name="stopping"/> is false counts as an error.</summary>
    public static async Task<HubConnection> ConnectOne(Uri baseUrl, Account owner, ErrorCounter errors, Func<bool> stopping,
        Action<HubConnection>? configure, CancellationToken ct)
    {
        var connection = Hub(baseUrl, owner.Token);
        configure?.Invoke(connection);
        connection.On<JsonElement>("error", e =>
        {
            if (e.TryGetProperty("method", out var m) && m.GetString() == "connect")
                errors.Add("connection_limit");
        });
        connection.Closed += _ =>
        {
            if (!stopping())
                errors.Add("connection_closed");
            return Task.CompletedTask;
        };
        await connection.StartAsync(ct);
        return connection;
    }

    public static async Task DisposeAll(IEnumerable<HubConnection?> connections)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await Parallel.ForEachAsync(connections.Where(c => c is not null), new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = patience.Token },
                async (c, _) => await c!.DisposeAsync());
        }
        catch (OperationCanceledException)
        {
            // The process exits next and closes whatever is left.
        }
    }

    /// <summary>The server's resident memory: from /proc with --server-pid, else from a Prometheus /metrics page if it has one.</summary>
    public async Task<long?> ServerMemoryBytes(CancellationToken ct)
    {
        if (server.RssBytes() is { } rss)
            return rss;
        if (!scrapeMetrics)
            return null;
        try
        {
            using var response = await _http.GetAsync("/metrics", ct);
            if (!response.IsSuccessStatusCode)
                return null;
            var text = await response.Content.ReadAsStringAsync(ct);
            string[] names = ["process_working_set_bytes", "dotnet_process_memory_working_set_bytes", "process_memory_usage_bytes", "process_resident_memory_bytes"];
            foreach (var line in text.Split('\n'))
            {
                foreach (var name in names)
                {
                    if (line.StartsWith(name, StringComparison.Ordinal)
                        && double.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1), NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes))
                        return (long)bytes;
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
