namespace EventChat.Domain.Conversations;

/// <summary>
/// What a decision needs to know about one existing message. The aggregate does not keep every message
/// (a long conversation would make every decision load them all); the handler reads these from the read model.
/// </summary>
public sealed record MessageFacts(Guid Id, Guid ConversationId, Guid SenderId, string Content, bool IsDeleted, long Sequence = 0);
