using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

/// <summary>
/// The app's own users, with tokens of the app's identity provider (a real JWKS server, <see cref="TestIssuer"/>) or of
/// its backend (HS256): REST and the hub take them as their own, and the first sight of a user provisions them.
/// </summary>
public sealed class AppUsers
{
    [Fact]
    public async Task Two_users_of_the_app_chat_with_its_tokens_and_each_is_provisioned_once_from_their_claims()
    {
        var server = await EventChatServer.Instance;
        var issuer = await TestIssuer.Instance;
        var (ann, ben) = (NewId("ann"), NewId("ben"));
        var annToken = issuer.Token(ann, name: "Ann App", picture: "https://cdn.app.example/ann.png");
        var benToken = TestIssuer.SharedSecretToken(ben, name: "Ben App");

        await using var annUser = new TestUser(server.BaseAddress, AppUser.IdOf(ann), ann, annToken);
        await using var benUser = new TestUser(server.BaseAddress, AppUser.IdOf(ben), ben, benToken);
        var benTab = await benUser.OpenTab();
        var found = await annUser.Get($"/api/users?externalId={Uri.EscapeDataString(ben)}");
        var sent = await (await annUser.OpenTab()).Invoke("sendMessage", new { receiverId = found.GetProperty("userId").GetGuid(), content = "hi from the app" });
        var delivered = await benTab.Next("newMessage");
        await annUser.Get("/api/chat/conversations");

        Assert.Equal((AppUser.IdOf(ben), "Ben App"), (found.GetProperty("userId").GetGuid(), found.GetProperty("displayName").GetString()));
        Assert.Equal(AppUser.IdOf(ann), sent.GetProperty("message").GetProperty("senderId").GetGuid());
        Assert.Equal("hi from the app", delivered.GetProperty("message").GetProperty("content").GetString());
        var annEvents = await StreamOf(server, AppUser.IdOf(ann));
        var provisioned = Assert.IsType<UserProvisioned>(Assert.Single(annEvents));
        Assert.Equal((ann, "Ann App", "https://cdn.app.example/ann.png"), (provisioned.ExternalId, provisioned.DisplayName, provisioned.AvatarUrl));
        Assert.IsType<UserProvisioned>(Assert.Single(await StreamOf(server, AppUser.IdOf(ben))));
    }

    [Fact]
    public async Task A_key_the_issuer_publishes_later_is_fetched_the_first_time_a_token_names_it()
    {
        var server = await EventChatServer.Instance;
        var issuer = await TestIssuer.Instance;
        using var warm = server.Http(issuer.Token(NewId("warm")));
        Assert.Equal(HttpStatusCode.OK, (await warm.GetAsync("/api/chat/conversations")).StatusCode);
        var fetchesBefore = issuer.Fetches;

        var rotated = issuer.Publish();
        using var http = server.Http(issuer.Token(NewId("rotated"), key: rotated));
        var response = await http.GetAsync("/api/chat/conversations");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(issuer.Fetches > fetchesBefore, "the new key id should have fetched the key set again");
    }

    public static TheoryData<string> RefusedTokens => ["unknown issuer", "wrong audience", "unpublished key", "expired", "bad subject", "not a token"];

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task A_token_EventChat_cannot_trust_is_refused_over_rest_and_the_hub_and_provisions_no_one(string kind)
    {
        var server = await EventChatServer.Instance;
        var issuer = await TestIssuer.Instance;
        var subject = NewId("refused");
        var token = kind switch
        {
            "unknown issuer" => issuer.Token(subject, issuer: "https://evil.example/"),
            "wrong audience" => issuer.Token(subject, audience: "another-service"),
            "unpublished key" => issuer.Token(subject, key: TestIssuer.Unpublished()),
            "expired" => issuer.Token(subject, lifetime: TimeSpan.FromMinutes(-1)),
            "bad subject" => issuer.Token(subject = "has/a/slash"),
            _ => "not.a.token",
        };
        using var http = server.Http(token);

        var response = await http.GetAsync("/api/chat/conversations");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        await Assert.ThrowsAnyAsync<Exception>(() => Tab.Open(server.BaseAddress, token));
        Assert.Empty(await StreamOf(server, AppUser.IdOf(subject)));
    }

    [Fact]
    public async Task A_role_claim_in_the_apps_token_grants_nothing_the_account_does_not_have()
    {
        var server = await EventChatServer.Instance;
        var issuer = await TestIssuer.Instance;
        using var http = server.Http(issuer.Token(NewId("climber"), more: [new Claim("role", Roles.Admin)]));

        var response = await http.GetAsync("/api/admin/projections");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>An id the app might use: any text, here with characters no EventChat username may have.</summary>
    public static string NewId(string name) => $"{name}|{Guid.NewGuid():N}@app";

    public static async Task<IReadOnlyList<object>> StreamOf(EventChatServer server, Guid userId)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return [.. (await session.Events.FetchStreamAsync(userId)).Select(e => e.Data)];
    }
}
