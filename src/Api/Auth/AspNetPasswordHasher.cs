using EventChat.Domain.Users;
using Microsoft.AspNetCore.Identity;

namespace EventChat.Api.Auth;

/// <summary>ASP.NET Core Identity's PBKDF2 hasher; its hashes carry their own version, so it can be upgraded in place.</summary>
public sealed class AspNetPasswordHasher : Application.Ports.IPasswordHasher
{
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    public string Hash(string password) => Hasher.HashPassword(null!, password);

    public bool Verify(string hash, string password) =>
        Hasher.VerifyHashedPassword(null!, hash, password) != PasswordVerificationResult.Failed;
}
