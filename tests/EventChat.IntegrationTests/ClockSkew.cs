using System.Net;
using EventChat.Api.Auth;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

/// <summary>
/// Tokens are validated with 30 s of clock skew unless <c>Jwt:ClockSkew</c> says otherwise (docs/api.md, "Tokens"). The
/// shared test server runs without skew; this runs on a server with the default, with tokens its own issuer signed with a
/// clock set back, so they expired a known time ago without anyone waiting.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class ClockSkew
{
    [Fact]
    public async Task By_default_a_token_is_accepted_until_thirty_seconds_after_it_expires_and_refused_after()
    {
        await using var server = await EventChatServer.StartIsolated(new Dictionary<string, string?> { ["Jwt:ClockSkew"] = null });
        var alice = await server.NewUser("alice");
        Assert.Equal(TimeSpan.FromSeconds(30), server.App.Services.GetRequiredService<JwtSettings>().ClockSkew);

        Assert.Equal(HttpStatusCode.OK, await Conversations(server, ExpiredAgo(server, alice, TimeSpan.FromSeconds(20))));
        Assert.Equal(HttpStatusCode.Unauthorized, await Conversations(server, ExpiredAgo(server, alice, TimeSpan.FromSeconds(40))));
    }

    private static async Task<HttpStatusCode> Conversations(EventChatServer server, string token)
    {
        using var http = server.Http(token);
        return (await http.GetAsync("/api/chat/conversations")).StatusCode;
    }

    /// <summary>A token the server's own issuer gave <paramref name="user"/> an hour before it expired, <paramref name="ago"/> ago.</summary>
    private static string ExpiredAgo(EventChatServer server, TestUser user, TimeSpan ago) =>
        TestTokens.Issue(server, user, TimeSpan.FromHours(1), new ShiftedClock(-(TimeSpan.FromHours(1) + ago)));
}
