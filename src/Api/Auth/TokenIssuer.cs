using System.Security.Claims;
using EventChat.Application.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace EventChat.Api.Auth;

/// <summary>The contract's register/login answer.</summary>
public sealed record AuthToken(Guid UserId, string Username, string Token, DateTimeOffset ExpiresAt);

public sealed class TokenIssuer(JwtSettings settings, TimeProvider clock)
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>A token for <paramref name="user"/> that lives <paramref name="lifetime"/>, at most (and by default) <c>Jwt:TokenLifetime</c>.</summary>
    public AuthToken Issue(Authenticated user, TimeSpan? lifetime = null)
    {
        var (userId, username, role) = user;
        var now = clock.GetUtcNow();
        var expires = now + (lifetime is { } asked && asked < settings.Lifetime ? asked : settings.Lifetime);
        var token = Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtSettings.Issuer,
            Audience = JwtSettings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity([
                new Claim(JwtClaims.Subject, userId.ToString()),
                new Claim(JwtClaims.Name, username),
                // The account's own role, never one looked up by name: a name can be freed and registered again.
                new Claim(JwtClaims.Role, role),
            ]),
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
        });
        return new(userId, username, token, expires);
    }
}
