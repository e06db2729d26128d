using System.Net;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.IntegrationTests;

/// <summary>
/// Tokens are validated with 30 s of clock skew unless <c>Jwt:ClockSkew</c> says otherwise (docs/api.md, "Tokens"). The
/// shared test server runs without skew; this runs on a server with the default, with tokens whose expiry lies in the past.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class ClockSkew
{
    [Fact]
    public async Task By_default_a_token_is_accepted_until_thirty_seconds_after_it_expires_and_refused_after()
    {
        var server = await EventChatServer.StartIsolated(new Dictionary<string, string?> { ["Jwt:ClockSkew"] = null });
        try
        {
            var alice = await server.NewUser("alice");
            Assert.Equal(TimeSpan.FromSeconds(30), server.App.Services.GetRequiredService<JwtSettings>().ClockSkew);
            var now = DateTime.UtcNow;

            Assert.Equal(HttpStatusCode.OK, await Conversations(server, SignedFor(server, alice, expires: now.AddSeconds(-20))));
            Assert.Equal(HttpStatusCode.Unauthorized, await Conversations(server, SignedFor(server, alice, expires: now.AddSeconds(-40))));
        }
        finally
        {
            await server.Stop();
        }
    }

    private static async Task<HttpStatusCode> Conversations(EventChatServer server, string token)
    {
        using var http = server.Http(token);
        return (await http.GetAsync("/api/chat/conversations")).StatusCode;
    }

    /// <summary>A token for <paramref name="user"/> signed as the server signs its own, issued an hour before it expires.</summary>
    private static string SignedFor(EventChatServer server, TestUser user, DateTime expires) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtSettings.Issuer,
            Audience = JwtSettings.Audience,
            IssuedAt = expires.AddHours(-1),
            NotBefore = expires.AddHours(-1),
            Expires = expires,
            Subject = new ClaimsIdentity([new(JwtClaims.Subject, user.Id.ToString()), new(JwtClaims.Name, user.Username), new(JwtClaims.Role, Roles.User)]),
            SigningCredentials = new SigningCredentials(server.App.Services.GetRequiredService<JwtSettings>().Key, SecurityAlgorithms.HmacSha256),
        });
}
