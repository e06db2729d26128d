using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using JasperFx.Events;
using Marten;

namespace EventChat.Application.Conversations;

/// <param name="Version">The event's position in the conversation's stream (a message's <c>sequence</c>).</param>
/// <param name="Sequence">The event's position in the whole event store, across every stream.</param>
public sealed record HistoryEvent(string Type, long Version, long Sequence, DateTimeOffset Timestamp, Guid? Actor, object Data, bool Redacted, bool Erased = false);

/// <summary>
/// Conversation events as their readers see them: the audit trail's items, and the events webhooks deliver. Text is
/// decrypted; text whose key has been destroyed reads as erased for everyone, so no reader is a way around erasure; the
/// text of a message deleted since is redacted for everyone but admins.
/// </summary>
public sealed class AuditTrail(ContentCipher cipher)
{
    public async Task<IReadOnlyList<HistoryEvent>> Readable(IQuerySession session, IReadOnlyList<IEvent> events, bool isAdmin, CancellationToken ct)
    {
        var deleted = isAdmin ? [] : await DeletedMessageIds(session, events.Select(e => e.Data), ct);
        var keys = await cipher.Keys(session, events.Select(e => ContentOf(e.Data)), ct);
        return [.. events.Select(e => Readable(ToHistory(e.Data, e.EventType.Name, e.Version, e.Sequence, e.Timestamp, deleted), keys))];
    }

    private static async Task<HashSet<Guid>> DeletedMessageIds(IQuerySession session, IEnumerable<object> events, CancellationToken ct)
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
