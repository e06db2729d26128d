using EventChat.Projections;
using Marten;

namespace EventChat.Application.Realtime;

public static class Contacts
{
    /// <summary>A user's contacts: everyone who shares a conversation with them.</summary>
    public static async Task<IReadOnlySet<Guid>> ContactsOf(this IQuerySession session, Guid userId, CancellationToken ct)
    {
        var participantLists = await session.Query<ConversationView>()
            .WhereParticipant(userId)
            .Select(v => v.ParticipantIds)
            .ToListAsync(ct);
        var contacts = participantLists.SelectMany(ids => ids).ToHashSet();
        contacts.Remove(userId);
        return contacts;
    }
}
