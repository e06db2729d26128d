using System.Runtime.CompilerServices;
using EventChat.Domain;
using EventChat.Domain.Users;
using EventChat.Projections;
using Marten;
using Mediator;

namespace EventChat.Application.Privacy;

/// <summary>
/// Everything a user may take with them: their account, and every message they sent or received, decrypted, streamed
/// conversation by conversation so that a long history never sits in memory. Received: every message of the
/// conversations they are in now; of conversations they left, only their own messages (what they received there
/// is no longer theirs to read). Deleted messages are left out; erased ones appear as erased.
/// </summary>
public sealed record ExportMyData(Guid UserId) : IQuery<DataExport>;

public sealed record DataExport(Guid UserId, string Username, string DisplayName, DateTimeOffset RegisteredAt, DateTimeOffset ExportedAt,
    IAsyncEnumerable<MessageView> Messages);

public sealed class ExportMyDataHandler(IQuerySession session, ContentCipher cipher, TimeProvider clock) : IQueryHandler<ExportMyData, DataExport>
{
    private const int PageSize = 500;

    public async ValueTask<DataExport> Handle(ExportMyData query, CancellationToken ct)
    {
        var account = await session.LoadAsync<UserAccount>(query.UserId, ct);
        if (account is null || account.ErasedAt is not null)
            throw DomainException.NotFound("User");
        return new(account.Id, account.Username, account.DisplayName, account.RegisteredAt, clock.GetUtcNow(), Messages(query.UserId, ct));
    }

    private async IAsyncEnumerable<MessageView> Messages(Guid userId, [EnumeratorCancellation] CancellationToken ct)
    {
        var member = await session.Query<ConversationView>().WhereParticipant(userId).Select(v => v.Id).ToListAsync(ct);
        var wroteIn = await session.Query<MessageView>().Where(m => m.SenderId == userId).Select(m => m.ConversationId).Distinct().ToListAsync(ct);
        foreach (var conversationId in member.Union(wroteIn).Order())
        {
            var everything = member.Contains(conversationId);
            for (long after = 0; ;)
            {
                var from = after;
                var messages = session.Query<MessageView>().Where(m => m.ConversationId == conversationId && m.Sequence > from && m.DeletedAt == null);
                if (!everything)
                    messages = messages.Where(m => m.SenderId == userId);
                var page = await messages.OrderBy(m => m.Sequence).Take(PageSize).ToListAsync(ct);
                foreach (var message in await cipher.Reveal(session, page, ct))
                    yield return message;
                if (page.Count < PageSize)
                    break;
                after = page[^1].Sequence;
            }
        }
    }
}
