using System.Security.Cryptography;
using System.Text;

namespace EventChat.Domain.Users;

/// <summary>
/// The app EventChat serves brought this user: by a token of a trusted issuer (the first time EventChat saw its subject),
/// or by the app's backend through the server API. There is no password; the app vouches for the user.
/// </summary>
/// <param name="ExternalId">The app's own id for the user, any text: its tokens' <c>sub</c>.</param>
public sealed record UserProvisioned(
    Guid UserId,
    string ExternalId,
    string DisplayName,
    string? AvatarUrl,
    IReadOnlyDictionary<string, string>? CustomData,
    DateTimeOffset ProvisionedAt) : IUserAccountEvent;

/// <summary>The app changed what it tells EventChat about its user: the whole profile, as given.</summary>
public sealed record UserProfileChanged(
    Guid UserId,
    string DisplayName,
    string? AvatarUrl,
    IReadOnlyDictionary<string, string>? CustomData,
    DateTimeOffset ChangedAt) : IUserAccountEvent;

/// <summary>The app suspended its user: their tokens are refused and their connections closed until reactivated.</summary>
public sealed record UserDeactivated(Guid UserId, DateTimeOffset DeactivatedAt) : IUserAccountEvent;

public sealed record UserReactivated(Guid UserId, DateTimeOffset ReactivatedAt) : IUserAccountEvent;

/// <summary>How an app's user id maps to EventChat's, and the limits of what the app may say about its users.</summary>
public static class AppUser
{
    public const int MaxExternalIdLength = 128;
    public const int MaxAvatarUrlLength = 2048;
    public const int MaxCustomDataEntries = 32;
    public const int MaxCustomDataKeyLength = 64;
    public const int MaxCustomDataValueLength = 1024;

    /// <summary>
    /// The namespace of <see cref="IdOf"/> (RFC 9562, name-based UUID, version 5). Fixed for good: changing it would give
    /// every app user a new account.
    /// </summary>
    public static readonly Guid Namespace = new("6f1c2e0a-4b7d-5e8f-9a3b-2c1d0e9f8a7b");

    /// <summary>
    /// EventChat's id for the app's user <paramref name="externalId"/>: the same on every node and every day, so a token
    /// needs no lookup to name its account, two nodes provisioning the same user at once write to one stream, and an
    /// app's backend can compute it too. Version 5 ids never equal the version 7 ids of registered accounts.
    /// </summary>
    public static Guid IdOf(string externalId) => NameBased(Namespace, externalId);

    /// <summary>RFC 9562's name-based UUID, version 5: SHA-1 over the namespace and the name's UTF-8 bytes.</summary>
    public static Guid NameBased(Guid space, string name)
    {
        var bytes = new byte[16 + Encoding.UTF8.GetByteCount(name)];
        space.TryWriteBytes(bytes, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, bytes.AsSpan(16));
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(bytes, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>
    /// An app user's unique name: ':' cannot be registered, so no EventChat account can take it, and the app's id keeps
    /// its case (apps' ids are case-sensitive; EventChat's usernames are not).
    /// </summary>
    public static string NormalizedName(string externalId) => $"app:{externalId}";
}
