using EventChat.Application.Privacy;
using EventChat.Projections;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>The caller's conversations, most recently active first, each with the caller's unread count.</summary>
public sealed record GetConversations(Guid UserId) : IQuery<IReadOnlyList<ConversationDto>>;

public sealed class GetConversationsHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetConversations, IReadOnlyList<ConversationDto>>
{
    public async ValueTask<IReadOnlyList<ConversationDto>> Handle(GetConversations query, CancellationToken ct)
    {
        var views = await session.Query<ConversationView>()
            .WhereParticipant(query.UserId)
            .OrderByDescending(v => v.LastActivityAt)
            .ToListAsync(ct);
        var unread = await session.CountUnread([.. views.Select(v => (v, query.UserId))], ct);
        return [.. (await cipher.Reveal(session, views, ct)).Select((v, i) => ConversationDto.From(v, unread[i]))];
    }
}
