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

/// <summary>A message, numbered by <paramref name="Sequence"/>: its version in the conversation's stream.</summary>
public sealed record MessageSent(
    Guid ConversationId,
    Guid MessageId,
    Guid SenderId,
    string Content,
    string MessageType,
    long Sequence,
    string? ClientMessageId,
    DateTimeOffset SentAt) : IConversationEvent;

/// <summary>The reader has read every message up to and including <paramref name="UpToSequence"/>.</summary>
public sealed record MessagesMarkedRead(
    Guid ConversationId,
    Guid ReaderId,
    Guid UpToMessageId,
    long UpToSequence,
    DateTimeOffset ReadAt) : IConversationEvent;
