using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.LoadTests;

// The wire shapes of EventChat's direct send (docs/api.md, sendMessage), copied from what a running server answers, so
// the bare hub serializes and pushes as many bytes as EventChat does. Nulls are written, as EventChat writes them.

/// <summary>The <c>sendMessage</c> request of a direct message.</summary>
public sealed record DirectSend(Guid ReceiverId, string Content, string? ClientMessageId);

/// <summary>The contract's <c>message</c> object of a plain text message.</summary>
public sealed record DirectMessage(
    Guid Id,
    Guid ConversationId,
    Guid SenderId,
    string Content,
    string MessageType,
    long Sequence,
    DateTimeOffset SentAt,
    string? ClientMessageId,
    object[] Attachments,
    Guid? ReplyToId = null,
    DateTimeOffset? EditedAt = null,
    DateTimeOffset? DeletedAt = null,
    object? ReplyTo = null,
    DateTimeOffset? ErasedAt = null);

/// <summary>The contract's <c>conversation</c> object of a direct conversation, as one participant sees it.</summary>
public sealed record DirectConversationView(
    Guid Id,
    string Kind,
    string? Title,
    Guid[] ParticipantIds,
    DateTimeOffset CreatedAt,
    DirectMessage LastMessage,
    long LastSequence,
    int UnreadCount,
    IReadOnlyDictionary<Guid, long> ReadUpTo);

/// <summary>What <c>sendMessage</c> answers and <c>messageSent</c>/<c>newMessage</c> carry.</summary>
public sealed record DirectDelivery(DirectMessage Message, DirectConversationView Conversation, string Status);

/// <summary>The <c>receiveMessage</c> payload.</summary>
public sealed record DirectReceived(DirectMessage Message, DirectConversationView Conversation);

/// <summary>
/// The bare hub's direct conversations, in memory: one per pair of users, started by its first message, with a
/// sequence and each participant's unread count (nobody reads in the load, so they only grow), as EventChat keeps them.
/// </summary>
public sealed class DirectConversations
{
    private static readonly IReadOnlyDictionary<Guid, long> NobodyRead = new Dictionary<Guid, long>();
    private readonly ConcurrentDictionary<(Guid, Guid), Conversation> _byPair = new();

    private sealed class Conversation(Guid[] participants)
    {
        public Guid Id { get; } = Guid.CreateVersion7();
        public Guid[] Participants => participants;
        public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;
        public long LastSequence = 1; // EventChat's sequence 1 is the conversation's start; its first message is 2.
        public readonly int[] Unread = new int[2];
    }

    public (DirectMessage Message, DirectConversationView ForSender, DirectConversationView ForReceiver) Append(Guid senderId, DirectSend send)
    {
        if (send.ReceiverId == senderId)
            throw new HubException("A direct message needs someone else as its receiver.");
        var pair = senderId.CompareTo(send.ReceiverId) < 0 ? (senderId, send.ReceiverId) : (send.ReceiverId, senderId);
        var conversation = _byPair.GetOrAdd(pair, p => new Conversation([p.Item1, p.Item2]));
        var (sender, receiver) = conversation.Participants[0] == senderId ? (0, 1) : (1, 0);
        DirectMessage message;
        int senderUnread, receiverUnread;
        lock (conversation)
        {
            message = new DirectMessage(Guid.CreateVersion7(), conversation.Id, senderId, send.Content, "text",
                ++conversation.LastSequence, DateTimeOffset.UtcNow, send.ClientMessageId, []);
            senderUnread = conversation.Unread[sender];
            receiverUnread = ++conversation.Unread[receiver];
        }
        var view = new DirectConversationView(conversation.Id, "direct", null, conversation.Participants, conversation.CreatedAt,
            message, message.Sequence, senderUnread, NobodyRead);
        return (message, view, view with { UnreadCount = receiverUnread });
    }
}
