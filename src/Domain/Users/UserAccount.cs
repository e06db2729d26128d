namespace EventChat.Domain.Users;

public sealed record UserRegistered(
    Guid UserId,
    string Username,
    string DisplayName,
    string PasswordHash,
    DateTimeOffset RegisteredAt);

/// <summary>A user's account, one stream per user. Usernames are unique ignoring case.</summary>
public sealed record UserAccount(Guid Id, string Username, string NormalizedUsername, string DisplayName, string PasswordHash, DateTimeOffset RegisteredAt)
{
    public const int MinUsernameLength = 3;
    public const int MaxUsernameLength = 32;
    public const int MinPasswordLength = 8;
    public const int MaxDisplayNameLength = 64;

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public static UserAccount Create(UserRegistered e) =>
        new(e.UserId, e.Username, Normalize(e.Username), e.DisplayName, e.PasswordHash, e.RegisteredAt);

    public static UserRegistered Register(Guid id, string username, string? displayName, string passwordHash, DateTimeOffset now)
    {
        var name = username.Trim();
        return new(id, name, string.IsNullOrWhiteSpace(displayName) ? name : displayName.Trim(), passwordHash, now);
    }
}
