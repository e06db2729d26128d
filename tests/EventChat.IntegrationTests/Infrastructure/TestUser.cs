using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// A registered user as a client app sees them: a token, a raw REST client (<see cref="Http"/>), the typed SDK
/// (<see cref="Client"/>), and any number of hub tabs, on the server (or node) at <paramref name="baseAddress"/>
/// unless a tab names another node. docs/testing.md says which of the two a test reads the server through.
/// </summary>
public sealed class TestUser(Uri baseAddress, Guid id, string username, string token) : IAsyncDisposable
{
    public const string Password = "correct horse battery";

    private readonly List<Tab> _tabs = [];
    private readonly Lazy<EventChatClient> _client = new(() => new EventChatClient(new EventChatClientOptions
    {
        BaseAddress = baseAddress,
        AccessTokenProvider = _ => ValueTask.FromResult(token),
    }));

    public Guid Id { get; } = id;
    public string Username { get; } = username;
    public string Token { get; } = token;
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress, DefaultRequestHeaders = { Authorization = new("Bearer", token) } };

    /// <summary>
    /// The .NET SDK for this user, made on first use: typed answers for tests about behaviour. Only its REST calls are
    /// used unless a test connects it; a refusal throws <see cref="EventChatError"/>.
    /// </summary>
    public EventChatClient Client => _client.Value;

    /// <summary>A new hub connection, as a browser tab would open one (token in the query string).</summary>
    public Task<Tab> OpenTab(bool settle = true) => OpenTabOn(baseAddress, settle);

    /// <summary>A new hub connection to the node at <paramref name="node"/>, as a load balancer might route it.</summary>
    public async Task<Tab> OpenTabOn(Uri node, bool settle = true)
    {
        var tab = await Tab.Open(node, Token, settle: settle);
        _tabs.Add(tab);
        return tab;
    }

    /// <summary>The claims a token carries (its payload, which any client can read; the signature is not checked here).</summary>
    public static JsonElement ClaimsOf(string token)
    {
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '='))).RootElement;
    }

    public async Task<JsonElement> Get(string path)
    {
        var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>
    /// A GET answer read as the SDK's contract record <typeparamref name="T"/>, strictly (<see cref="Typed"/>): for a check
    /// that something is 0, false or empty, which the SDK's tolerant read would also pass if the field were missing.
    /// </summary>
    public async Task<T> Get<T>(string path) => (await Get(path)).As<T>();

    /// <summary>
    /// Every page of a list paged with <c>{ items, hasMore, cursor }</c> (<paramref name="path"/> with its query), as a
    /// client reads it: the first page, then the one <c>before</c> each page's cursor while <c>hasMore</c>.
    /// </summary>
    public async Task<List<JsonElement[]>> Pages(string path)
    {
        var pages = new List<JsonElement[]>();
        string? cursor = null;
        for (var more = true; more;)
        {
            var page = await Get(cursor is null ? path : $"{path}&before={cursor}");
            pages.Add([.. page.GetProperty("items").EnumerateArray()]);
            var previous = cursor;
            (more, cursor) = (page.GetProperty("hasMore").GetBoolean(), page.GetProperty("cursor").GetString());
            // A list that hands back the cursor it was given would be paged forever.
            Assert.True(cursor != previous || !more, $"The page before {previous} ends where it began.");
        }
        return pages;
    }

    /// <summary>Creates a group conversation with <paramref name="others"/> (this user is always in it); answers its id.</summary>
    public async Task<Guid> CreateGroup(params TestUser[] others)
    {
        var response = await Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = others.Select(o => o.Id), title = "Team" });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    /// <summary>The first page of this user's conversation list (as many as a test makes).</summary>
    public async Task<JsonElement[]> Conversations() => [.. (await Get("/api/chat/conversations")).GetProperty("items").EnumerateArray()];

    public async Task<JsonElement> Conversation(Guid conversationId) => await Get($"/api/chat/conversations/{conversationId}");

    public async Task<JsonElement[]> Messages(Guid conversationId, string query = "limit=200") =>
        [.. (await Get($"/api/chat/conversations/{conversationId}/messages?{query}")).GetProperty("items").EnumerateArray()];

    public async ValueTask DisposeAsync()
    {
        foreach (var tab in _tabs)
            await tab.DisposeAsync();
        if (_client.IsValueCreated)
            await _client.Value.DisposeAsync();
        Http.Dispose();
    }
}
