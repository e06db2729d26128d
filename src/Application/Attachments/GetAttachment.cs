using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Attachments;

/// <summary>An attachment's bytes, for its uploader or a participant of a conversation a message carried it into.</summary>
public sealed record GetAttachment(Guid UserId, Guid AttachmentId) : IQuery<AttachmentDownload>;

/// <summary>The record and its bytes; whoever takes it disposes <see cref="Content"/>.</summary>
public sealed record AttachmentDownload(StoredAttachment Attachment, Stream Content);

public sealed class GetAttachmentHandler(IQuerySession session, IFileStore files, ContentCipher cipher, ILogger<GetAttachmentHandler> log)
    : IQueryHandler<GetAttachment, AttachmentDownload>
{
    public async ValueTask<AttachmentDownload> Handle(GetAttachment query, CancellationToken ct)
    {
        var attachment = await session.LoadVisibleAttachment(query.AttachmentId, query.UserId, ct);
        if (await files.Open(attachment.Id, ct) is { } stored)
            // An erased attachment (its key destroyed) is gone, as far as anyone can tell.
            return await cipher.OpenFile(session, attachment.Id, stored, ct) is { } content
                ? new(attachment, content)
                : throw DomainException.NotFound("Attachment");
        // A record always gets its bytes before it is stored, so this is lost data, not a race.
        log.LogWarning("attachment {AttachmentId} has a record but no bytes in the file store", attachment.Id);
        throw DomainException.NotFound("Attachment");
    }
}

/// <summary>Who may see an attachment.</summary>
public static class AttachmentReads
{
    /// <summary>
    /// The attachment if the user uploaded it, or takes part in a conversation holding a (not deleted) message
    /// that carries it; otherwise it does not exist, as far as they can tell.
    /// </summary>
    public static async Task<StoredAttachment> LoadVisibleAttachment(this IQuerySession session, Guid attachmentId, Guid userId, CancellationToken ct)
    {
        var attachment = await session.LoadAsync<StoredAttachment>(attachmentId, ct);
        return attachment is not null && (attachment.UploaderId == userId || await IsSharedWith(session, attachmentId, userId, ct))
            ? attachment
            : throw DomainException.NotFound("Attachment");
    }

    public static MessageAttachment ToMessageAttachment(this StoredAttachment attachment) =>
        new(attachment.Id, attachment.FileName, attachment.ContentType, attachment.Size);

    // Current membership counts: someone who left a group no longer downloads what was shared in it.
    private static async Task<bool> IsSharedWith(IQuerySession session, Guid attachmentId, Guid userId, CancellationToken ct)
    {
        var conversationIds = await session.Query<MessageView>()
            .Where(m => m.Attachments.Any(a => a.Id == attachmentId))
            .Select(m => m.ConversationId)
            .Distinct()
            .ToListAsync(ct);
        return conversationIds.Count > 0
            && await session.Query<ConversationView>().WhereParticipant(userId).AnyAsync(v => conversationIds.Contains(v.Id), ct);
    }
}
