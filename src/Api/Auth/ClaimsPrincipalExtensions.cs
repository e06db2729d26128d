using System.Security.Claims;
using EventChat.Domain.Users;

namespace EventChat.Api.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The authenticated user's id, from the token's <c>sub</c> claim (authentication refuses a token without one).</summary>
    public static Guid UserId(this ClaimsPrincipal user) =>
        user.HasUserId(out var id) ? id : throw new InvalidOperationException("The token has no user id.");

    public static bool HasUserId(this ClaimsPrincipal user, out Guid id) => Guid.TryParse(user.FindFirstValue(JwtClaims.Subject), out id);

    /// <summary>The same user with only the claims EventChat reads (<see cref="JwtClaims"/>), and no link to the token.</summary>
    public static ClaimsPrincipal Essentials(ClaimsPrincipal user)
    {
        var identity = (ClaimsIdentity)user.Identity!;
        Claim[] kept = [.. user.Claims.Where(c => c.Type is JwtClaims.Subject or JwtClaims.Name or JwtClaims.Role or JwtClaims.Expires).Select(c => new Claim(c.Type, c.Value))];
        return new(new ClaimsIdentity(kept, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType));
    }

    /// <summary>The same essentials for a token that another issuer gave one of the app's users.</summary>
    public static ClaimsPrincipal For(Guid userId, string name, string role, string? expires, string authenticationType)
    {
        List<Claim> claims = [new(JwtClaims.Subject, userId.ToString()), new(JwtClaims.Name, name), new(JwtClaims.Role, role)];
        if (expires is not null)
            claims.Add(new(JwtClaims.Expires, expires));
        return new(new ClaimsIdentity(claims, authenticationType, JwtClaims.Name, JwtClaims.Role));
    }

    /// <summary>When the token that authenticated <paramref name="user"/> expires; null if it named no time.</summary>
    public static DateTimeOffset? TokenExpires(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(JwtClaims.Expires), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>Moderators, and admins above them, may moderate any live session.</summary>
    public static bool CanModerate(this ClaimsPrincipal user) => user.IsInRole(Roles.Moderator) || user.IsInRole(Roles.Admin);
}

public static class JwtClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Expires = "exp";
}
