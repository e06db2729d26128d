namespace EventChat.Domain.Users;

public sealed record UserRegistered(
    Guid UserId,
    string Username,
    string DisplayName,
    string PasswordHash,
    DateTimeOffset RegisteredAt);

/// <summary>
/// The user erased their account: the content of every message they sent became unreadable (its keys were destroyed),
/// and the personal fields of their <see cref="UserRegistered"/> were overwritten in the event store.
/// </summary>
public sealed record UserErased(Guid UserId, DateTimeOffset ErasedAt);

/// <summary>A user's account, one stream per user. Usernames are unique ignoring case.</summary>
public sealed record UserAccount(Guid Id, string Username, string NormalizedUsername, string DisplayName, string PasswordHash, DateTimeOffset RegisteredAt)
{
    public const int MinUsernameLength = 3;
    public const int MaxUsernameLength = 32;
    public const int MinPasswordLength = 8;
    public const int MaxDisplayNameLength = 64;

    /// <summary>What an erased account's name reads as, and its display name.</summary>
    public const string ErasedName = "[erased]";

    /// <summary>When the account was erased; an erased account cannot log in, send, or be found.</summary>
    public DateTimeOffset? ErasedAt { get; init; }

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public static UserAccount Create(UserRegistered e) =>
        new(e.UserId, e.Username, Normalize(e.Username), e.DisplayName, e.PasswordHash, e.RegisteredAt);

    // The normalised name keeps the unique index satisfied and can never be registered: ':' is not allowed in usernames.
    public UserAccount Apply(UserErased e) =>
        this with { Username = ErasedName, NormalizedUsername = $"erased:{Id:N}", DisplayName = ErasedName, PasswordHash = "", ErasedAt = e.ErasedAt };

    public UserErased Erase(DateTimeOffset now) =>
        ErasedAt is null ? new(Id, now) : throw DomainException.NotFound("User");

    public static UserRegistered Register(Guid id, string username, string? displayName, string passwordHash, DateTimeOffset now)
    {
        var name = username.Trim();
        return new(id, name, string.IsNullOrWhiteSpace(displayName) ? name : displayName.Trim(), passwordHash, now);
    }
}
