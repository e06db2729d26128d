using EventChat.Application.Attachments;
using EventChat.Application.Privacy;
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

    /// <summary>
    /// Messages as readers see them: decrypted (or erased), each reply with its preview of the message it answers.
    /// One round trip for the targets and one for the keys of both.
    /// </summary>
    public static async Task<IReadOnlyList<MessageView>> WithReplyPreviews(this IQuerySession session, ContentCipher cipher, IReadOnlyList<MessageView> messages, CancellationToken ct)
    {
        Guid[] targetIds = [.. messages.Where(m => m.ReplyToId is not null).Select(m => m.ReplyToId!.Value).Distinct()];
        var targets = targetIds.Length == 0 ? [] : await session.LoadManyAsync<MessageView>(ct, targetIds);
        var keys = await cipher.Keys(session, messages.Concat(targets).Select(m => m.Content), ct);
        var previews = targets.Select(keys.Reveal).ToDictionary(t => t.Id, ReplyPreview.Of);
        return [.. messages.Select(keys.Reveal).Select(m => m.ReplyToId is { } id && previews.TryGetValue(id, out var preview) ? m with { ReplyTo = preview } : m)];
    }

    public static async Task<MessageView> WithReplyPreview(this IQuerySession session, ContentCipher cipher, MessageView message, CancellationToken ct) =>
        (await session.WithReplyPreviews(cipher, [message], ct))[0];
}
