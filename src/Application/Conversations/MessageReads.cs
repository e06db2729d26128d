using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Conversations;

/// <summary>Read-side helpers for single messages, shared by the message use cases.</summary>
public static class MessageReads
{
    public static async Task<MessageView> LoadMessage(this IQuerySession session, Guid messageId, CancellationToken ct) =>
        await session.LoadAsync<MessageView>(messageId, ct) ?? throw DomainException.NotFound("Message");

    public static async Task<MessageFacts?> LoadMessageFacts(this IQuerySession session, Guid? messageId, CancellationToken ct) =>
        messageId is { } id ? (await session.LoadAsync<MessageView>(id, ct))?.ToFacts() : null;

    /// <summary>The sender's earlier message with this client id in this conversation, if this send is a retry.</summary>
    public static async Task<MessageView?> FindRetriedSend(this IQuerySession session, Guid conversationId, Guid senderId, string? clientMessageId, CancellationToken ct) =>
        clientMessageId is null ? null : await session.Query<MessageView>()
            .FirstOrDefaultAsync(m => m.ConversationId == conversationId && m.SenderId == senderId && m.ClientMessageId == clientMessageId, ct);

    /// <summary>The files a message refers to, each of which its sender must have uploaded.</summary>
    public static async Task<IReadOnlyList<MessageAttachment>> LoadOwnAttachments(this IQuerySession session, Guid senderId, IReadOnlyList<Guid>? ids, CancellationToken ct)
    {
        if (ids is not { Count: > 0 })
            return [];
        var found = await session.LoadManyAsync<StoredAttachment>(ct, ids.Distinct());
        if (found.Count != ids.Distinct().Count() || found.Any(a => a.UploaderId != senderId))
            throw DomainException.NotFound("Attachment");
        return [.. ids.Distinct().Select(id => found.Single(a => a.Id == id)).Select(a => new MessageAttachment(a.Id, a.FileName, a.ContentType, a.Size))];
    }

    /// <summary>Fills in each reply's preview of the message it answers, with one round trip.</summary>
    public static async Task<IReadOnlyList<MessageView>> WithReplyPreviews(this IQuerySession session, IReadOnlyList<MessageView> messages, CancellationToken ct)
    {
        Guid[] targetIds = [.. messages.Where(m => m.ReplyToId is not null).Select(m => m.ReplyToId!.Value).Distinct()];
        if (targetIds.Length == 0)
            return messages;
        var targets = (await session.LoadManyAsync<MessageView>(ct, targetIds)).ToDictionary(t => t.Id);
        return [.. messages.Select(m => m.ReplyToId is { } id && targets.TryGetValue(id, out var target) ? m with { ReplyTo = ReplyPreview.Of(target) } : m)];
    }

    public static async Task<MessageView> WithReplyPreview(this IQuerySession session, MessageView message, CancellationToken ct) =>
        (await session.WithReplyPreviews([message], ct))[0];
}
