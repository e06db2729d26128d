using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>One conversation the caller takes part in.</summary>
public sealed record GetConversation(Guid UserId, Guid ConversationId) : IQuery<ConversationDto>;

public sealed class GetConversationHandler(IQuerySession session) : IQueryHandler<GetConversation, ConversationDto>
{
    public async ValueTask<ConversationDto> Handle(GetConversation query, CancellationToken ct) =>
        await session.ToDto(await session.LoadVisibleConversation(query.ConversationId, query.UserId, ct), query.UserId, ct);
}
