using EventChat.Application.Privacy;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;
using Marten.Services.BatchQuerying;

namespace EventChat.Application.Conversations;

/// <summary>Read-side helpers shared by the conversation use cases.</summary>
public static class ConversationReads
{
    /// <summary>The conversation if the user takes part in it; otherwise it does not exist, as far as they can tell.</summary>
    public static async Task<ConversationView> LoadVisibleConversation(this IQuerySession session, Guid conversationId, Guid userId, CancellationToken ct)
    {
        var view = await session.LoadAsync<ConversationView>(conversationId, ct);
        return view is not null && view.ParticipantIds.Contains(userId) ? view : throw DomainException.NotFound("Conversation");
    }

    /// <summary>Each (conversation, reader) pair's unread count, in one round trip.</summary>
    public static Task<int[]> CountUnread(this IQuerySession session, IReadOnlyList<(ConversationView View, Guid ReaderId)> pairs, CancellationToken ct) =>
        session.CountUnread([.. pairs.Select(p => (p.View.Id, p.View.ReadUpToFor(p.ReaderId), p.View.LastSequence, p.ReaderId))], ct);

    /// <summary>
    /// What stays unread for the reader after reading up to <paramref name="upToSequence"/>. The write model keeps counts,
    /// not messages, so a read that stops short of the newest message is counted; one that reaches it leaves nothing.
    /// </summary>
    public static async Task<int> UnreadAfterReading(this IQuerySession session, Conversation conversation, long upToSequence, Guid readerId, CancellationToken ct) =>
        conversation.LeavesUnread(upToSequence) ? (await session.CountUnread([After(conversation, upToSequence, readerId)], ct))[0] : 0;

    /// <summary>The events with what each newcomer finds unread: whatever others sent after their read pointer (all of it on a first visit).</summary>
    public static async Task<IReadOnlyList<ParticipantAdded>> WithNewcomersUnread(this IQuerySession session, Conversation conversation,
        IReadOnlyList<ParticipantAdded> added, CancellationToken ct)
    {
        var unread = await session.CountUnread([.. added.Select(a => After(conversation, conversation.ReadUpTo.GetValueOrDefault(a.UserId), a.UserId))], ct);
        return [.. added.Select((a, i) => a with { Unread = unread[i] })];
    }

    private static (Guid, long, long, Guid) After(Conversation conversation, long readUpTo, Guid readerId) =>
        (conversation.Id, readUpTo, conversation.LastSequence, readerId);

    /// <summary>Each reader's unread messages in (readUpTo, lastSequence] of a conversation, in one round trip.</summary>
    public static async Task<int[]> CountUnread(this IQuerySession session,
        IReadOnlyList<(Guid ConversationId, long ReadUpTo, long LastSequence, Guid ReaderId)> counts, CancellationToken ct)
    {
        if (counts.Count == 0)
            return [];
        var batch = session.CreateBatchQuery();
        var counting = counts.Select(c => batch.CountUnread(c.ConversationId, c.ReadUpTo, c.LastSequence, c.ReaderId)).ToList();
        await batch.Execute(ct);
        return [.. (await Task.WhenAll(counting)).Select(count => (int)count)];
    }

    // Messages after the reader's read pointer, up to the view's last message (a past view counts as of then),
    // that someone else sent and nobody has deleted; their own never count.
    public static Task<long> CountUnread(this IBatchedQuery batch, Guid conversationId, long readUpTo, long lastSequence, Guid readerId) =>
        batch.Query<MessageView>().Where(m => m.ConversationId == conversationId && m.Sequence > readUpTo && m.Sequence <= lastSequence
            && m.SenderId != readerId && m.DeletedAt == null).Count();

    /// <summary>The conversation as the viewer sees it: their unread count, the last message decrypted.</summary>
    public static async Task<ConversationDto> ToDto(this IQuerySession session, ContentCipher cipher, ConversationView view, Guid viewerId, CancellationToken ct) =>
        ConversationDto.From((await cipher.Reveal(session, [view], ct))[0], (await session.CountUnread([(view, viewerId)], ct))[0]);
}
