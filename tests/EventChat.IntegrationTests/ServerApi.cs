using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>The server API, as an app's backend calls it: with the API secret, naming users by the app's own ids.</summary>
public sealed class ServerApi
{
    [Fact]
    public async Task The_backend_creates_replaces_and_reads_a_user_and_the_same_profile_twice_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        using var backend = Backend(server);
        var id = AppUsers.NewId("cleo");
        var path = $"/api/server/users/{Uri.EscapeDataString(id)}";
        var profile = new { displayName = "Cleo", avatarUrl = "https://cdn.app.example/cleo.png", customData = new Dictionary<string, string> { ["plan"] = "pro" } };

        var created = await backend.PutAsJsonAsync(path, profile);
        var again = await backend.PutAsJsonAsync(path, profile);
        var replaced = await backend.PutAsJsonAsync(path, new { displayName = "Cleo C." });
        var read = await backend.GetFromJsonAsync<JsonElement>(path);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK), (created.StatusCode, again.StatusCode, replaced.StatusCode));
        var first = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((AppUser.IdOf(id), id, "Cleo", "pro"), (first.GetProperty("userId").GetGuid(), first.GetProperty("externalId").GetString(),
            first.GetProperty("displayName").GetString(), first.GetProperty("customData").GetProperty("plan").GetString()));
        Assert.Equal(("Cleo C.", JsonValueKind.Null, JsonValueKind.Null, true), (read.GetProperty("displayName").GetString(),
            read.GetProperty("avatarUrl").ValueKind, read.GetProperty("customData").ValueKind, read.GetProperty("active").GetBoolean()));
        var events = await AppUsers.StreamOf(server, AppUser.IdOf(id));
        Assert.Equal([typeof(UserProvisioned), typeof(UserProfileChanged)], events.Select(e => e.GetType()));
    }

    [Fact]
    public async Task A_minted_token_works_over_rest_and_the_hub_for_a_user_not_seen_before()
    {
        var server = await EventChatServer.Instance;
        using var backend = Backend(server);
        var id = AppUsers.NewId("dora");

        var minted = await Mint(backend, id, seconds: 600);

        Assert.Equal(AppUser.IdOf(id), minted.GetProperty("userId").GetGuid());
        Assert.InRange(minted.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        await using var dora = new TestUser(server.BaseAddress, AppUser.IdOf(id), id, minted.GetProperty("token").GetString()!);
        var me = await dora.Get($"/api/users/{dora.Id}");
        Assert.Equal(id, me.GetProperty("displayName").GetString());
        await (await dora.OpenTab()).Invoke("getOnlineUsers", null);
    }

    [Fact]
    public async Task A_deactivated_user_is_disconnected_and_refused_until_reactivated()
    {
        var server = await EventChatServer.Instance;
        using var backend = Backend(server);
        var id = AppUsers.NewId("eve");
        var path = $"/api/server/users/{Uri.EscapeDataString(id)}";
        var token = (await Mint(backend, id)).GetProperty("token").GetString()!;
        await using var eve = new TestUser(server.BaseAddress, AppUser.IdOf(id), id, token);
        var tab = await eve.OpenTab();

        var deactivated = await backend.PostAsync($"{path}/deactivate", null);

        var error = await tab.Next("error");
        Assert.Equal(("unauthorized", "This account has been deactivated."), (error.GetProperty("code").GetString(), error.GetProperty("message").GetString()));
        await tab.Closed;
        Assert.False((await deactivated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await eve.Http.GetAsync("/api/chat/conversations")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await backend.PostAsJsonAsync($"{path}/tokens", new { })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await backend.PostAsync($"{path}/reactivate", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await eve.Http.GetAsync("/api/chat/conversations")).StatusCode);
    }

    [Fact]
    public async Task An_erased_user_is_gone_for_good_and_their_id_cannot_come_back()
    {
        var server = await EventChatServer.Instance;
        using var backend = Backend(server);
        var issuer = await TestIssuer.Instance;
        var id = AppUsers.NewId("finn");
        var path = $"/api/server/users/{Uri.EscapeDataString(id)}";
        Assert.Equal(HttpStatusCode.Created, (await backend.PutAsJsonAsync(path, new { displayName = "Finn Private" })).StatusCode);
        var token = issuer.Token(id);

        Assert.Equal(HttpStatusCode.NoContent, (await backend.DeleteAsync(path)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await backend.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await backend.PutAsJsonAsync(path, new { displayName = "Finn" })).StatusCode);
        using var http = server.Http(token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/chat/conversations")).StatusCode);
        var provisioned = Assert.IsType<UserProvisioned>((await AppUsers.StreamOf(server, AppUser.IdOf(id)))[0]);
        Assert.DoesNotContain("Finn", provisioned.DisplayName + provisioned.ExternalId);
    }

    public static TheoryData<string?> WrongSecrets => [null, "", "the-app-backends-server-api-secret-0123456788"];

    [Theory]
    [MemberData(nameof(WrongSecrets))]
    public async Task Without_the_secret_the_server_api_refuses_and_changes_nothing(string? secret)
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();
        if (secret is not null)
            http.DefaultRequestHeaders.Add("X-Api-Secret", secret);
        var id = AppUsers.NewId("mallory");

        var response = await http.PutAsJsonAsync($"/api/server/users/{Uri.EscapeDataString(id)}", new { displayName = "Mallory" });
        var mint = await http.PostAsJsonAsync($"/api/server/users/{Uri.EscapeDataString(id)}/tokens", new { });

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (response.StatusCode, mint.StatusCode));
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Empty(await AppUsers.StreamOf(server, AppUser.IdOf(id)));
    }

    public static TheoryData<string, string, string> BadProfiles => new()
    {
        { "ok", """{"avatarUrl":"javascript:alert(1)"}""", "avatarUrl" },
        { "ok", """{"customData":{"k":null}}""", "customData" },
        { "ok", """{"displayName":"%NAME%"}""", "displayName" },
        { "a\u0001b", """{}""", "externalId" },
        { "%LONG%", """{}""", "externalId" },
    };

    [Theory]
    [MemberData(nameof(BadProfiles))]
    public async Task A_profile_the_server_cannot_keep_gets_a_clear_400_and_creates_no_one(string externalId, string body, string field)
    {
        var server = await EventChatServer.Instance;
        using var backend = Backend(server);
        var id = externalId switch { "ok" => AppUsers.NewId("bad"), "%LONG%" => new string('x', AppUser.MaxExternalIdLength + 1), _ => externalId };
        var json = body.Replace("%NAME%", new string('n', UserAccount.MaxDisplayNameLength + 1));

        var response = await backend.PutAsync($"/api/server/users/{Uri.EscapeDataString(id)}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
        Assert.Empty(await AppUsers.StreamOf(server, AppUser.IdOf(id)));
    }

    private static HttpClient Backend(EventChatServer server)
    {
        var http = server.Http();
        http.DefaultRequestHeaders.Add("X-Api-Secret", EventChatServer.ServerSecret);
        return http;
    }

    private static async Task<JsonElement> Mint(HttpClient backend, string id, int? seconds = null)
    {
        var response = await backend.PostAsJsonAsync($"/api/server/users/{Uri.EscapeDataString(id)}/tokens", new { expiresInSeconds = seconds });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
