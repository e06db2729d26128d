using EventChat.Domain.Conversations;
using Marten.Events.Projections;

namespace EventChat.Projections;

/// <summary>
/// The message a reply answers, as it is now (never stored with the reply, so editing or deleting the
/// original shows in every reply to it). <see cref="Excerpt"/> is null once the original is deleted.
/// </summary>
public sealed record ReplyPreview(Guid Id, Guid SenderId, string? Excerpt)
{
    public const int ExcerptLength = 100;

    public static ReplyPreview Of(MessageView target) =>
        new(target.Id, target.SenderId, target.DeletedAt is not null ? null : Shorten(target.Content));

    // Cut on a whole character: never between the two halves of a surrogate pair (an emoji, say).
    private static string Shorten(string content)
    {
        if (content.Length <= ExcerptLength)
            return content;
        var cut = char.IsHighSurrogate(content[ExcerptLength - 1]) ? ExcerptLength - 1 : ExcerptLength;
        return content[..cut] + "…";
    }
}

/// <summary>
/// One message as clients see it (the contract's <c>message</c> object). <see cref="ReplyTo"/> is filled
/// in when messages are read or pushed, not stored. Stored, <see cref="Content"/> is sealed (encrypted); readers get
/// it decrypted, or <c>"[erased]"</c> with <see cref="ErasedAt"/> set once its key was destroyed.
/// </summary>
public sealed record MessageView(
    Guid Id,
    Guid ConversationId,
    Guid SenderId,
    string Content,
    string MessageType,
    long Sequence,
    DateTimeOffset SentAt,
    string? ClientMessageId,
    IReadOnlyList<MessageAttachment> Attachments,
    Guid? ReplyToId = null,
    DateTimeOffset? EditedAt = null,
    DateTimeOffset? DeletedAt = null,
    ReplyPreview? ReplyTo = null,
    DateTimeOffset? ErasedAt = null)
{
    public MessageFacts ToFacts() => new(Id, ConversationId, SenderId, Content, DeletedAt is not null, Sequence);

    public static MessageView From(MessageSent e) =>
        new(e.MessageId, e.ConversationId, e.SenderId, e.Content, e.MessageType, e.Sequence, e.SentAt, e.ClientMessageId, e.Attachments ?? [], e.ReplyToId);

    public MessageView Edited(MessageEdited e) => this with { Content = e.Content, EditedAt = e.EditedAt };

    /// <summary>A tombstone: the message keeps its place in the conversation, nothing of what it said.</summary>
    public MessageView Deleted(MessageDeleted e) => this with { Content = "", Attachments = [], DeletedAt = e.DeletedAt };
}

/// <summary>One document per message, keyed by message id, written in the same transaction as the event.</summary>
public sealed partial class MessageViewProjection : MultiStreamProjection<MessageView, Guid>
{
    public MessageViewProjection()
    {
        Identity<MessageSent>(e => e.MessageId);
        Identity<MessageEdited>(e => e.MessageId);
        Identity<MessageDeleted>(e => e.MessageId);
    }

    public static MessageView Create(MessageSent e) => MessageView.From(e);

    public static MessageView Apply(MessageEdited e, MessageView view) => view.Edited(e);

    public static MessageView Apply(MessageDeleted e, MessageView view) => view.Deleted(e);
}
