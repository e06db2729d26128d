using EventChat.Domain.Users;

namespace EventChat.Application.Users;

/// <summary>
/// The roles the configuration names (<c>EventChat:Admins</c>, <c>EventChat:Moderators</c>), granted to accounts once:
/// an id entry to that account; a name entry to the first account that holds the name, which claims it for good.
/// </summary>
public sealed record ConfiguredRoles(IReadOnlyDictionary<Guid, string> ById, IReadOnlyDictionary<string, string> ByName)
{
    /// <summary>Each entry is a user id (a GUID) or a username (ignoring case); an entry in both lists is an admin.</summary>
    public static ConfiguredRoles From(IEnumerable<string> admins, IEnumerable<string> moderators)
    {
        var (byId, byName) = (new Dictionary<Guid, string>(), new Dictionary<string, string>());
        // Admins last, so that they win over a moderator entry for the same account.
        (IEnumerable<string> Entries, string Role)[] lists = [(moderators, Roles.Moderator), (admins, Roles.Admin)];
        foreach (var (entries, role) in lists)
            foreach (var entry in entries.Where(e => !string.IsNullOrWhiteSpace(e)))
                if (Guid.TryParse(entry, out var id))
                    byId[id] = role;
                else
                    byName[UserAccount.Normalize(entry)] = role;
        return new(byId, byName);
    }
}
