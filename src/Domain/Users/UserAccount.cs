namespace EventChat.Domain.Users;

/// <summary>Every event of a user's stream (one stream per account, its id the user's id).</summary>
public interface IUserAccountEvent
{
    Guid UserId { get; }
}

public sealed record UserRegistered(
    Guid UserId,
    string Username,
    string DisplayName,
    string PasswordHash,
    DateTimeOffset RegisteredAt) : IUserAccountEvent;

/// <summary>
/// The user erased their account: the content of every message they sent became unreadable (its keys were destroyed),
/// and the personal fields of their <see cref="UserRegistered"/> were overwritten in the event store.
/// </summary>
public sealed record UserErased(Guid UserId, DateTimeOffset ErasedAt) : IUserAccountEvent;

/// <summary>
/// The user's role changed: what they may do beyond their own things (<see cref="Roles"/>). Granted to the account, never
/// to its name, so a name freed by an erasure carries no role.
/// </summary>
/// <param name="ChangedBy">The admin who changed it; null when the server's configuration granted it at start-up or registration.</param>
public sealed record UserRoleChanged(Guid UserId, string Role, Guid? ChangedBy, DateTimeOffset ChangedAt) : IUserAccountEvent;

/// <summary>The roles an account can have; a token carries its account's role.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Moderator = "moderator";
    public const string Admin = "admin";

    private static readonly string[] Ranked = [User, Moderator, Admin];

    /// <summary>Lowest first: each role may do what the ones before it may.</summary>
    public static IReadOnlyList<string> All => Ranked;

    public static bool IsKnown(string? role) => Array.IndexOf(Ranked, role) >= 0;

    public static bool Outranks(string role, string other) => Array.IndexOf(Ranked, role) > Array.IndexOf(Ranked, other);
}

/// <summary>
/// A user's account, one stream per user: registered with a password (<see cref="UserRegistered"/>) or brought by the app
/// (<see cref="UserProvisioned"/>). Usernames are unique ignoring case; an app user's name is the app's id for them.
/// </summary>
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

    /// <summary>One of <see cref="Roles"/>; a new account is a plain user.</summary>
    public string Role { get; init; } = Roles.User;

    /// <summary>The app's own id for a user it brought (<see cref="AppUser"/>); null for a registered account.</summary>
    public string? ExternalId { get; init; }

    public string? AvatarUrl { get; init; }

    /// <summary>What the app keeps about its user in EventChat, returned as given.</summary>
    public IReadOnlyDictionary<string, string>? CustomData { get; init; }

    /// <summary>When the app deactivated the user; null while active. A deactivated account cannot connect or call.</summary>
    public DateTimeOffset? DeactivatedAt { get; init; }

    public static string Normalize(string username) => username.Trim().ToLowerInvariant();

    public static UserAccount Create(UserRegistered e) =>
        new(e.UserId, e.Username, Normalize(e.Username), e.DisplayName, e.PasswordHash, e.RegisteredAt);

    public static UserAccount Create(UserProvisioned e) =>
        new(e.UserId, e.ExternalId, AppUser.NormalizedName(e.ExternalId), e.DisplayName, PasswordHash: "", e.ProvisionedAt)
        {
            ExternalId = e.ExternalId, AvatarUrl = e.AvatarUrl, CustomData = e.CustomData,
        };

    /// <summary>
    /// The one fold of a user's stream after <see cref="Create"/>: Marten's snapshot, the domain tests and the handlers
    /// that return the account as their event left it all apply events here.
    /// </summary>
    public UserAccount Apply(IUserAccountEvent e) => e switch
    {
        // The normalised name keeps the unique index satisfied and can never be registered: ':' is not allowed in usernames.
        // The role goes with the account: nothing an erased account held can pass to whoever registers its name next.
        UserErased erased => this with
        {
            Username = ErasedName, NormalizedUsername = $"erased:{Id:N}", DisplayName = ErasedName, PasswordHash = "", ErasedAt = erased.ErasedAt, Role = Roles.User,
            ExternalId = null, AvatarUrl = null, CustomData = null,
        },
        UserProfileChanged changed => this with { DisplayName = changed.DisplayName, AvatarUrl = changed.AvatarUrl, CustomData = changed.CustomData },
        UserDeactivated deactivated => this with { DeactivatedAt = deactivated.DeactivatedAt },
        UserReactivated => this with { DeactivatedAt = null },
        UserRoleChanged changed => this with { Role = changed.Role },
        _ => throw new UnknownEventException(typeof(UserAccount), e),
    };

    public UserErased Erase(DateTimeOffset now) =>
        ErasedAt is null ? new(Id, now) : throw DomainException.NotFound("User");

    /// <summary>
    /// An admin sets this user's role. Setting the role they have changes nothing. An admin cannot change their own role,
    /// so the last admin cannot lock everyone out by accident: another admin (or an id in the configuration) is needed.
    /// </summary>
    public UserRoleChanged? ChangeRole(string role, Guid adminId, DateTimeOffset now)
    {
        if (ErasedAt is not null)
            throw DomainException.NotFound("User");
        if (!Roles.IsKnown(role))
            throw new DomainException(DomainError.Invalid, $"Role must be one of {string.Join(", ", Roles.All)}.");
        if (role == Role)
            return null;
        return adminId == Id ? throw new DomainException(DomainError.Forbidden, "You cannot change your own role; another admin can.") : new(Id, role, adminId, now);
    }

    /// <summary>
    /// The configuration grants a role: it only ever raises one (an admin named as a moderator stays admin), and an erased
    /// account gets nothing.
    /// </summary>
    public UserRoleChanged? GrantConfigured(string role, DateTimeOffset now) =>
        ErasedAt is null && Roles.Outranks(role, Role) ? new(Id, role, null, now) : null;

    public static UserRegistered Register(Guid id, string username, string? displayName, string passwordHash, DateTimeOffset now)
    {
        var name = username.Trim();
        return new(id, name, string.IsNullOrWhiteSpace(displayName) ? name : displayName.Trim(), passwordHash, now);
    }

    /// <summary>The app brings a user; without a display name the app's id is shown.</summary>
    public static UserProvisioned Provision(string externalId, string? displayName, string? avatarUrl, IReadOnlyDictionary<string, string>? customData, DateTimeOffset now) =>
        new(AppUser.IdOf(externalId), externalId, ShownName(displayName, externalId), Blank(avatarUrl), Empty(customData), now);

    /// <summary>
    /// The app states its user's whole profile again; what it leaves out is cleared. The same profile changes nothing, and an
    /// erased user cannot come back under the same id: their id stays theirs, and their data stays gone.
    /// </summary>
    public UserProfileChanged? ChangeProfile(string? displayName, string? avatarUrl, IReadOnlyDictionary<string, string>? customData, DateTimeOffset now)
    {
        if (ErasedAt is not null)
            throw new DomainException(DomainError.Conflict, "This user was erased; an erased user cannot come back under the same id.");
        var changed = new UserProfileChanged(Id, ShownName(displayName, ExternalId ?? Username), Blank(avatarUrl), Empty(customData), now);
        return changed.DisplayName == DisplayName && changed.AvatarUrl == AvatarUrl && SameData(changed.CustomData, CustomData) ? null : changed;
    }

    /// <summary>Deactivating a deactivated user, or reactivating an active one, changes nothing.</summary>
    public UserDeactivated? Deactivate(DateTimeOffset now) => Live().DeactivatedAt is null ? new(Id, now) : null;

    public UserReactivated? Reactivate(DateTimeOffset now) => Live().DeactivatedAt is null ? null : new(Id, now);

    private UserAccount Live() => ErasedAt is null ? this : throw DomainException.NotFound("User");

    private static string ShownName(string? displayName, string fallback) => string.IsNullOrWhiteSpace(displayName) ? fallback : displayName.Trim();

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IReadOnlyDictionary<string, string>? Empty(IReadOnlyDictionary<string, string>? data) => data is { Count: > 0 } ? data : null;

    private static bool SameData(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(entry => b!.TryGetValue(entry.Key, out var value) && value == entry.Value));
}
