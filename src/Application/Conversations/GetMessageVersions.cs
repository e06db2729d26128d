using EventChat.Domain;
using EventChat.Domain.Conversations;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// Every text a message has had, oldest first, read from the conversation's events: the history an edit
/// never loses. A deleted message shows none of them.
/// </summary>
public sealed record GetMessageVersions(Guid UserId, Guid MessageId) : IQuery<MessageVersions>;

public sealed record MessageVersion(string Content, long Sequence, DateTimeOffset At);

public sealed record MessageVersions(Guid MessageId, IReadOnlyList<MessageVersion> Items, DateTimeOffset? DeletedAt);

public sealed class GetMessageVersionsHandler(IQuerySession session) : IQueryHandler<GetMessageVersions, MessageVersions>
{
    public async ValueTask<MessageVersions> Handle(GetMessageVersions query, CancellationToken ct)
    {
        var message = await session.LoadMessage(query.MessageId, ct);
        var conversation = await session.LoadAsync<Projections.ConversationView>(message.ConversationId, ct);
        if (conversation?.ParticipantIds.Contains(query.UserId) != true)
            throw DomainException.NotFound("Message");
        if (message.DeletedAt is not null)
            return new(message.Id, [], message.DeletedAt);
        var sent = await session.Events.QueryRawEventDataOnly<MessageSent>().Where(e => e.MessageId == query.MessageId).ToListAsync(ct);
        var edits = await session.Events.QueryRawEventDataOnly<MessageEdited>().Where(e => e.MessageId == query.MessageId).ToListAsync(ct);
        return new(message.Id, [.. sent.Select(e => new MessageVersion(e.Content, e.Sequence, e.SentAt))
            .Concat(edits.Select(e => new MessageVersion(e.Content, e.Sequence, e.EditedAt))).OrderBy(v => v.Sequence)], null);
    }
}
