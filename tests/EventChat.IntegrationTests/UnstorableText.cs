using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace EventChat.IntegrationTests;

/// <summary>
/// Text PostgreSQL cannot store as sent (U+0000, an unpaired surrogate) is refused as <c>validation</c> in every
/// text field, over REST and the hub, stores nothing and logs no error.
/// </summary>
public sealed class UnstorableText
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var place in new[] { "send", "edit", "post", "comment", "live-session title", "group title", "display name", "username at login", "hub send", "hub comment", "hub stream chat" })
            foreach (var kind in new[] { "NUL", "lone high surrogate", "lone low surrogate" })
                data.Add(place, kind);
        // A URL carries no lone surrogate (its bytes decode to U+FFFD), so a query string is tested with NUL alone.
        data.Add("search q", "NUL");
        return data;
    }

    private const string Placeholder = "HOSTILE";

    // As JSON escapes: a client serializer would replace a lone surrogate with U+FFFD before it left the client.
    private static string Escape(string kind) => kind switch
    {
        "NUL" => "\\u0000",
        "lone high surrogate" => "\\ud800",
        "lone low surrogate" => "\\udc00",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Unstorable_text_is_a_validation_error_that_stores_nothing_and_logs_no_error(string place, string kind)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        // Message text is sealed before it is stored, so "nothing stored" counts the events naming alice, and the marker.
        var marker = "unstorable" + Guid.NewGuid().ToString("N");
        var text = "a" + Placeholder + marker;
        RawJson Body(object body) => RawJson.Of(body, Placeholder, Escape(kind));
        Func<Task<Refusal>> attempt = place switch
        {
            "send" => () => Rest(alice.Http.PostAsync("/api/chat/messages", Body(new { receiverId = bob.Id, content = text }).Content())),
            "edit" => await Prepared(MessageOf(alice, bob), id => Rest(alice.Http.PatchAsync($"/api/chat/messages/{id}", Body(new { content = text }).Content()))),
            "search q" => () => Rest(alice.Http.GetAsync($"/api/chat/search?q={text.Replace(Placeholder, "%00")}")),
            "post" => () => Rest(alice.Http.PostAsync("/api/posts", Body(new { content = text }).Content())),
            "comment" => await Prepared(PostOf(bob), id => Rest(alice.Http.PostAsync($"/api/posts/{id}/comments", Body(new { content = text }).Content()))),
            "live-session title" => () => Rest(alice.Http.PostAsync("/api/streams", Body(new { title = text }).Content())),
            "group title" => () => Rest(alice.Http.PostAsync("/api/chat/conversations", Body(new { participantIds = new[] { bob.Id }, title = text }).Content())),
            "display name" => () => Rest(server.Http().PostAsync("/api/auth/register", Body(new { username = "u" + marker[..20], password = TestUser.Password, displayName = text }).Content())),
            "username at login" => () => Rest(server.Http().PostAsync("/api/auth/login", Body(new { username = text, password = TestUser.Password }).Content())),
            "hub send" => await Prepared(alice.OpenTab(), tab => Hub(tab, "sendMessage", Body(new { receiverId = bob.Id, content = text }))),
            "hub comment" => await Prepared(PostOf(bob), async id => await Hub(await alice.OpenTab(), "comment-post", Body(new { postId = id, content = text }))),
            "hub stream chat" => await Prepared(WatchedSessionOf(alice, bob), watching => Hub(watching.Tab, "stream-chat", Body(new { sessionId = watching.SessionId, content = text }))),
            _ => throw new ArgumentOutOfRangeException(nameof(place)),
        };
        var storedBefore = await StoredEventsMentioning(server, alice.Id.ToString(), marker);

        var refusal = await attempt();

        Assert.Equal("validation", refusal.Code);
        Assert.Contains(place.StartsWith("hub") ? "'content'" : Field(place), place.StartsWith("hub") ? refusal.Message : string.Join(" ", refusal.Fields));
        Assert.Equal(storedBefore, await StoredEventsMentioning(server, alice.Id.ToString(), marker));
        Assert.DoesNotContain(EventChatServer.LogLines, l => l.StartsWith("Error") && (l.Contains("22021") || l.Contains(marker)));
    }

    private static string Field(string place) => place switch
    {
        "search q" => "q",
        "live-session title" or "group title" => "title",
        "display name" => "displayName",
        "username at login" => "username",
        _ => "content",
    };

    private static async Task<Func<Task<Refusal>>> Prepared<T>(Task<T> setUp, Func<T, Task<Refusal>> attempt)
    {
        var prepared = await setUp;
        return () => attempt(prepared);
    }

    private sealed record Refusal(string Code, IReadOnlyList<string> Fields, string Message);

    private static async Task<Refusal> Rest(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.TryGetProperty("detail", out _), body);
        var fields = problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(e => e.Name).ToArray() : [];
        return new(problem.GetProperty("code").GetString()!, fields, problem.GetProperty("detail").GetString()!);
    }

    // The hub's error event names no fields apart from its message, which quotes each field it refuses.
    private static async Task<Refusal> Hub(Tab tab, string method, RawJson payload)
    {
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke(method, payload));
        var error = await tab.Next("error");
        return new(error.GetProperty("code").GetString()!, [], error.GetProperty("message").GetString()!);
    }

    private static async Task<Guid> MessageOf(TestUser sender, TestUser receiver) =>
        (await Messaging.Send(sender, new { receiverId = receiver.Id, content = "first" })).GetProperty("message").GetProperty("id").GetGuid();

    private static async Task<Guid> PostOf(TestUser author)
    {
        var response = await author.Http.PostAsJsonAsync("/api/posts", new { content = "a post" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task<(Guid SessionId, Tab Tab)> WatchedSessionOf(TestUser viewer, TestUser host)
    {
        var response = await host.Http.PostAsJsonAsync("/api/streams", new { title = "live" });
        response.EnsureSuccessStatusCode();
        var sessionId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var tab = await viewer.OpenTab();
        await tab.Invoke("join-stream", new { sessionId });
        return (sessionId, tab);
    }

    private static async Task<long> StoredEventsMentioning(EventChatServer server, string userId, string marker)
    {
        await using var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select count(*) from mt_events where data::text like '%' || @user || '%' or data::text like '%' || @marker || '%'", connection);
        count.Parameters.AddWithValue("user", userId);
        count.Parameters.AddWithValue("marker", marker);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
