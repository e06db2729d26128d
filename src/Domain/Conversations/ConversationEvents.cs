namespace EventChat.Domain.Conversations;

/// <summary>
/// Every event of a conversation stream. The <see cref="Conversation"/> aggregate must apply each one,
/// because its <see cref="Conversation.LastSequence"/> counts them to number messages.
/// </summary>
public interface IConversationEvent
{
    Guid ConversationId { get; }
}

public enum ConversationKind
{
    Direct,
    Group,
}

public sealed record ConversationStarted(
    Guid ConversationId,
    ConversationKind Kind,
    string? Title,
    Guid StartedBy,
    IReadOnlyList<Guid> ParticipantIds,
    DateTimeOffset StartedAt) : IConversationEvent;

/// <summary>
/// A file a message carries, as it was when the message was sent. Where it is downloaded from is the Api's business:
/// the wire adds a <c>url</c> derived from <see cref="Id"/> (EventChat.Api's WireJson).
/// </summary>
public sealed record MessageAttachment(Guid Id, string FileName, string ContentType, long Size);

/// <summary>
/// A message, numbered by <paramref name="Sequence"/>: its version in the conversation's stream.
/// <paramref name="ReplyToId"/> and <paramref name="Attachments"/> came later; older events read them as absent.
/// </summary>
public sealed record MessageSent(
    Guid ConversationId,
    Guid MessageId,
    Guid SenderId,
    string Content,
    string MessageType,
    long Sequence,
    string? ClientMessageId,
    DateTimeOffset SentAt,
    Guid? ReplyToId = null,
    IReadOnlyList<MessageAttachment>? Attachments = null) : IConversationEvent;

/// <summary>The sender changed a message's text; the earlier text stays in this stream's history.</summary>
public sealed record MessageEdited(
    Guid ConversationId,
    Guid MessageId,
    Guid EditorId,
    string Content,
    long Sequence,
    DateTimeOffset EditedAt) : IConversationEvent;

/// <summary>The sender or a moderator deleted a message; read models keep only a tombstone.</summary>
/// <param name="MessageSenderId">Who sent the deleted message, and <paramref name="MessageSequence"/> where it stood:
/// it stops counting as unread for everyone else who had not read that far.</param>
public sealed record MessageDeleted(
    Guid ConversationId,
    Guid MessageId,
    Guid DeletedBy,
    long Sequence,
    DateTimeOffset DeletedAt,
    Guid MessageSenderId = default,
    long MessageSequence = 0) : IConversationEvent;

/// <summary>The reader has read every message up to and including <paramref name="UpToSequence"/>.</summary>
/// <param name="UnreadAfter">Others' messages after <paramref name="UpToSequence"/> that still count as unread for the reader then.</param>
public sealed record MessagesMarkedRead(
    Guid ConversationId,
    Guid ReaderId,
    Guid UpToMessageId,
    long UpToSequence,
    DateTimeOffset ReadAt,
    int UnreadAfter = 0) : IConversationEvent;

/// <summary><paramref name="AddedBy"/>, a participant, added <paramref name="UserId"/> to a group.</summary>
/// <param name="Unread">The messages the newcomer finds unread: everything others sent after their read pointer (all of
/// it for a first-time member), as counted when they were added.</param>
public sealed record ParticipantAdded(
    Guid ConversationId,
    Guid UserId,
    Guid AddedBy,
    DateTimeOffset AddedAt,
    int Unread = 0) : IConversationEvent;

/// <summary>The group's owner, <paramref name="RemovedBy"/>, took <paramref name="UserId"/> out of the group.</summary>
public sealed record ParticipantRemoved(
    Guid ConversationId,
    Guid UserId,
    Guid RemovedBy,
    DateTimeOffset RemovedAt) : IConversationEvent;

/// <summary><paramref name="UserId"/> left the group of their own accord; an owner who leaves hands ownership on.</summary>
public sealed record ParticipantLeft(
    Guid ConversationId,
    Guid UserId,
    DateTimeOffset LeftAt) : IConversationEvent;

/// <summary>
/// <paramref name="UserId"/>, a participant of a direct conversation, agreed to erase its content. The content is
/// erased (<see cref="ConversationContentErased"/>) once every participant has agreed.
/// </summary>
public sealed record ConversationErasureConsented(
    Guid ConversationId,
    Guid UserId,
    DateTimeOffset ConsentedAt) : IConversationEvent;

/// <summary>
/// Every message written in the conversation so far became unreadable: the keys its text was encrypted under were
/// destroyed. The events stay (who wrote when, in what order); their text can never be decrypted again.
/// </summary>
public sealed record ConversationContentErased(
    Guid ConversationId,
    Guid ErasedBy,
    DateTimeOffset ErasedAt) : IConversationEvent;
