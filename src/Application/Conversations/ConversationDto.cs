using EventChat.Domain.Conversations;
using EventChat.Projections;

namespace EventChat.Application.Conversations;

/// <summary>
/// The contract's <c>conversation</c> object; <see cref="UnreadCount"/> is the viewer's own. <see cref="ReadUpTo"/>
/// is every participant's read pointer (the sequence they have read up to), which receipts reveal anyway.
/// <see cref="LastActivityAt"/> is what the conversation list is ordered by, so a client can keep the server's order.
/// </summary>
public sealed record ConversationDto(
    Guid Id,
    ConversationKind Kind,
    string? Title,
    IReadOnlyList<Guid> ParticipantIds,
    DateTimeOffset CreatedAt,
    MessageView? LastMessage,
    long LastSequence,
    int UnreadCount,
    IReadOnlyDictionary<Guid, long> ReadUpTo,
    DateTimeOffset LastActivityAt)
{
    public static ConversationDto From(ConversationView view, int unreadCount) =>
        new(view.Id, view.Kind, view.Title, view.ParticipantIds,
            view.CreatedAt, view.LastMessage, view.LastSequence, unreadCount, view.ReadUpTo, view.LastActivityAt);
}

/// <summary>What <c>sendMessage</c> returns and what <c>messageSent</c>/<c>newMessage</c> carry.</summary>
/// <param name="PreviousSequence">The <c>sequence</c> of the message before this one in its conversation (0 for the first),
/// so a client that holds that one knows it has missed nothing, and one that does not knows to <c>sync</c> before showing
/// this one. Message sequences have gaps (every event of the conversation takes a number), so a client cannot tell from
/// the sequences alone.</param>
public sealed record MessageDelivery(MessageView Message, ConversationDto Conversation, DeliveryStatus Status, long PreviousSequence);

/// <summary><c>sent</c> to the sender's own connections, <c>delivered</c> to everyone else's.</summary>
public enum DeliveryStatus
{
    Sent,
    Delivered,
}

/// <summary>The <c>receiveMessage</c> payload.</summary>
public sealed record ReceivedMessage(MessageView Message, ConversationDto Conversation);
