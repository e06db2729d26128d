using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Text.Json;
using EventChat.Api.Auth;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.IntegrationTests;

/// <summary>A token the server's own key signed, but whose subject names no user, is no token at all.</summary>
public sealed class TokenSubjects
{
    public static TheoryData<string?> SubjectsThatAreNoUserId => ["not-a-guid", "", null];

    [Theory]
    [MemberData(nameof(SubjectsThatAreNoUserId))]
    public async Task A_validly_signed_token_whose_subject_is_not_a_user_id_is_refused_over_rest_and_the_hub(string? subject)
    {
        var server = await EventChatServer.Instance;
        var token = SignedToken(server, subject);
        using var http = server.Http(token);

        var response = await http.GetAsync("/api/chat/conversations");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("unauthorized", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => Tab.Open(server.BaseAddress, token));
        Assert.Contains("'401'", refused.Message);
    }

    // Signed exactly as the server signs its own tokens, so only the subject can be wrong.
    private static string SignedToken(EventChatServer server, string? subject)
    {
        var settings = server.App.Services.GetRequiredService<JwtSettings>();
        var now = DateTime.UtcNow;
        List<Claim> claims = [new(JwtClaims.Name, "nobody"), new(JwtClaims.Role, Roles.User)];
        if (subject is not null)
            claims.Add(new(JwtClaims.Subject, subject));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtSettings.Issuer,
            Audience = JwtSettings.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
        });
    }
}
