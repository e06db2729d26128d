using Marten;
using Mediator;

namespace EventChat.Application.Realtime;

/// <summary>The participants of a conversation the caller is in; for anyone else it does not exist.</summary>
public sealed record GetParticipants(Guid UserId, Guid ConversationId) : IQuery<IReadOnlyList<Guid>>;

public sealed class GetParticipantsHandler(IQuerySession session) : IQueryHandler<GetParticipants, IReadOnlyList<Guid>>
{
    public async ValueTask<IReadOnlyList<Guid>> Handle(GetParticipants query, CancellationToken ct) =>
        (await Conversations.ConversationReads.LoadVisibleConversation(session, query.ConversationId, query.UserId, ct)).ParticipantIds;
}
