using EventChat.Application.Privacy;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// A conversation's event history, the audit trail: who did what, when, in stream order. For participants
/// and admins. The text of a message that has since been deleted is redacted for everyone but admins; text whose key
/// has been destroyed reads as erased for everyone (<see cref="HistoryEvent.Erased"/>).
/// </summary>
public sealed record GetConversationEvents(Guid UserId, bool IsAdmin, Guid ConversationId, long? After = null, int? Limit = null) : IQuery<EventPage>;

/// <param name="Version">The event's position in the conversation's stream (a message's <c>sequence</c>).</param>
/// <param name="Sequence">The event's position in the whole event store, across every stream.</param>
public sealed record HistoryEvent(string Type, long Version, long Sequence, DateTimeOffset Timestamp, Guid? Actor, object Data, bool Redacted, bool Erased = false);

public sealed record EventPage(IReadOnlyList<HistoryEvent> Items, bool HasMore);

public sealed class GetConversationEventsValidator : AbstractValidator<GetConversationEvents>
{
    public GetConversationEventsValidator()
    {
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
        RuleFor(q => q.Limit).InclusiveBetween(1, GetMessages.MaxLimit);
    }
}

public sealed class GetConversationEventsHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetConversationEvents, EventPage>
{
    public async ValueTask<EventPage> Handle(GetConversationEvents query, CancellationToken ct)
    {
        // Admins audit conversations, and only conversations: any other stream (a user's registration, a post) is not found.
        if (query.IsAdmin)
            _ = await session.LoadAsync<ConversationView>(query.ConversationId, ct) ?? throw DomainException.NotFound("Conversation");
        else
            await session.LoadVisibleConversation(query.ConversationId, query.UserId, ct);
        var (after, limit) = (query.After ?? 0, query.Limit ?? GetMessages.DefaultLimit);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == query.ConversationId && e.Version > after)
            .OrderBy(e => e.Version).Take(limit + 1).ToListAsync(ct);
        var deleted = query.IsAdmin ? [] : await DeletedMessageIds(events.Select(e => e.Data), ct);
        var keys = await cipher.Keys(session, events.Select(e => ContentOf(e.Data)), ct);
        return new([.. events.Take(limit).Select(e => Readable(ToHistory(e.Data, e.EventType.Name, e.Version, e.Sequence, e.Timestamp, deleted), keys))], events.Count > limit);
    }

    private async Task<HashSet<Guid>> DeletedMessageIds(IEnumerable<object> events, CancellationToken ct)
    {
        Guid[] ids = [.. events.Select(MessageIdOf).OfType<Guid>().Distinct()];
        var messages = ids.Length == 0 ? [] : await session.LoadManyAsync<MessageView>(ct, ids);
        return [.. messages.Where(m => m.DeletedAt is not null).Select(m => m.Id)];
    }

    private static HistoryEvent ToHistory(object data, string type, long version, long sequence, DateTimeOffset at, HashSet<Guid> deleted) =>
        MessageIdOf(data) is { } id && deleted.Contains(id) && data is MessageSent or MessageEdited
            ? new(type, version, sequence, at, ActorOf(data), Redact(data), Redacted: true)
            : new(type, version, sequence, at, ActorOf(data), data, Redacted: false);

    private static string? ContentOf(object data) => data switch
    {
        MessageSent e => e.Content,
        MessageEdited e => e.Content,
        _ => null,
    };

    // Decrypted for the reader; an erased text stays erased, admins included: its key is gone.
    private static HistoryEvent Readable(HistoryEvent item, ContentCipher.Plaintexts keys) => item.Data switch
    {
        MessageSent sent => keys.Read(sent.Content) is (var text, var erasedAt)
            ? item with { Data = erasedAt is null ? sent with { Content = text } : sent with { Content = text, Attachments = null }, Erased = erasedAt is not null }
            : item,
        MessageEdited edited => keys.Read(edited.Content) is (var text, var erasedAt)
            ? item with { Data = edited with { Content = text }, Erased = erasedAt is not null }
            : item,
        _ => item,
    };

    private static object Redact(object data) => data switch
    {
        MessageSent sent => sent with { Content = "", Attachments = null },
        MessageEdited edited => edited with { Content = "" },
        _ => data,
    };

    private static Guid? MessageIdOf(object data) => data switch
    {
        MessageSent e => e.MessageId,
        MessageEdited e => e.MessageId,
        MessageDeleted e => e.MessageId,
        _ => null,
    };

    /// <summary>Who caused the event: the one user each event names as its actor.</summary>
    public static Guid? ActorOf(object data) => data switch
    {
        ConversationStarted e => e.StartedBy,
        MessageSent e => e.SenderId,
        MessageEdited e => e.EditorId,
        MessageDeleted e => e.DeletedBy,
        MessagesMarkedRead e => e.ReaderId,
        ParticipantAdded e => e.AddedBy,
        ParticipantRemoved e => e.RemovedBy,
        ParticipantLeft e => e.UserId,
        ConversationErasureConsented e => e.UserId,
        ConversationContentErased e => e.ErasedBy,
        _ => null,
    };
}
