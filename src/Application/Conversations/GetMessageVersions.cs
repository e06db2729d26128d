using EventChat.Application.Privacy;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using Marten;
using Marten.Events;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// Every text a message has had, oldest first, read from the conversation's events: the history an edit
/// never loses. A deleted message shows none of them.
/// </summary>
public sealed record GetMessageVersions(Guid UserId, Guid MessageId) : IQuery<MessageVersions>;

public sealed record MessageVersion(string Content, long Sequence, DateTimeOffset At);

public sealed record MessageVersions(Guid MessageId, IReadOnlyList<MessageVersion> Items, DateTimeOffset? DeletedAt);

public sealed class GetMessageVersionsHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetMessageVersions, MessageVersions>
{
    public async ValueTask<MessageVersions> Handle(GetMessageVersions query, CancellationToken ct)
    {
        var message = await session.LoadMessage(query.MessageId, ct);
        var conversation = await session.LoadAsync<Projections.ConversationView>(message.ConversationId, ct);
        if (conversation?.ParticipantIds.Contains(query.UserId) != true)
            throw DomainException.NotFound("Message");
        if (message.DeletedAt is not null)
            return new(message.Id, [], message.DeletedAt);
        // Only this conversation's stream is read (the events table is indexed by stream), then narrowed to the message.
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == message.ConversationId && e.EventTypesAre(typeof(MessageSent), typeof(MessageEdited)))
            .ToListAsync(ct);
        MessageVersion[] versions = [.. events.Select(e => e.Data switch
        {
            MessageSent sent when sent.MessageId == message.Id => new MessageVersion(sent.Content, sent.Sequence, sent.SentAt),
            MessageEdited edited when edited.MessageId == message.Id => new MessageVersion(edited.Content, edited.Sequence, edited.EditedAt),
            _ => null,
        }).OfType<MessageVersion>().OrderBy(v => v.Sequence)];
        var keys = await cipher.Keys(session, versions.Select(v => v.Content), ct);
        return new(message.Id, [.. versions.Select(v => v with { Content = keys.Read(v.Content).Text })], null);
    }
}
