using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

public sealed class Accounts
{
    [Fact]
    public async Task Registering_answers_a_token_that_logs_in_and_works()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();
        var username = $"dana_{Guid.NewGuid():N}"[..20];

        var registered = await http.PostAsJsonAsync("/api/auth/register", new { username, password = "s3cret-enough", displayName = "Dana" });
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username = username.ToUpperInvariant(), password = "s3cret-enough" });

        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(username, body.GetProperty("username").GetString());
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        using var authed = server.Http(body.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await authed.GetAsync("/api/chat/conversations")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_user_is_401_with_the_same_answer()
    {
        var server = await EventChatServer.Instance;
        await using var user = await server.NewUser("erin");
        using var http = server.Http();

        var wrongPassword = await http.PostAsJsonAsync("/api/auth/login", new { username = user.Username, password = "not the password" });
        var unknownUser = await http.PostAsJsonAsync("/api/auth/login", new { username = "nobody_" + Guid.NewGuid().ToString("N")[..8], password = "whatever1" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal(
            (await wrongPassword.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(),
            (await unknownUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_taken_username_is_a_conflict_whatever_its_case()
    {
        var server = await EventChatServer.Instance;
        await using var user = await server.NewUser("frank");
        using var http = server.Http();

        var again = await http.PostAsJsonAsync("/api/auth/register", new { username = user.Username.ToUpperInvariant(), password = "another-password" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("conflict", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_bad_registration_lists_every_failed_field()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();

        var response = await http.PostAsJsonAsync("/api/auth/register", new { username = "a b", password = "short" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["password", "username"], errors.EnumerateObject().Select(e => e.Name).Order());
    }
}
