using EventChat.Domain.Conversations;
using Marten.Events.Projections;

namespace EventChat.Projections;

public sealed record Attachment(Guid Id, string FileName, string ContentType, long Size);

/// <summary>One message as clients see it (the contract's <c>message</c> object).</summary>
public sealed record MessageView(
    Guid Id,
    Guid ConversationId,
    Guid SenderId,
    string Content,
    string MessageType,
    long Sequence,
    DateTimeOffset SentAt,
    string? ClientMessageId,
    IReadOnlyList<Attachment> Attachments,
    Guid? ReplyToId = null,
    DateTimeOffset? EditedAt = null,
    DateTimeOffset? DeletedAt = null)
{
    public static MessageView From(MessageSent e) =>
        new(e.MessageId, e.ConversationId, e.SenderId, e.Content, e.MessageType, e.Sequence, e.SentAt, e.ClientMessageId, []);
}

/// <summary>One document per message, written in the same transaction as the event.</summary>
public sealed partial class MessageViewProjection : EventProjection
{
    public MessageView Create(MessageSent e) => MessageView.From(e);
}
