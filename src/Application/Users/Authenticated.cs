using EventChat.Domain.Users;

namespace EventChat.Application.Users;

/// <summary>
/// Who a caller proved to be, and all a token says about them: what login and registration hand the Api, never the
/// account itself (its password hash stays in Application).
/// </summary>
public sealed record Authenticated(Guid UserId, string Username, string Role)
{
    public static Authenticated As(UserAccount account) => new(account.Id, account.Username, account.Role);
}
