using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Conversations;

/// <summary>The <c>messageEdited</c>/<c>messageDeleted</c> payload.</summary>
public sealed record MessageChanged(MessageView Message);

/// <summary>Pushes a stored message to everyone in its conversation, each with their own unread count.</summary>
public static class MessageDeliveries
{
    /// <param name="conversation">The conversation's write model as the send found it: its participants, and their
    /// unread counts once this message is applied.</param>
    /// <param name="sent">The event as decided, its text not yet sealed: what the participants are shown.</param>
    /// <param name="view">The conversation as its participants see it with this message (<see cref="SendOutcome.Committed.View"/>).</param>
    public static async Task<MessageDelivery> Deliver(this INotifier notifier, IQuerySession session, ContentCipher cipher, Conversation conversation, MessageSent sent, ConversationView view, CancellationToken ct)
    {
        // Each participant's unread count as of this message, from the write model: no rows are counted.
        var after = conversation.Apply(sent);
        var message = await session.WithReplyPreview(cipher, MessageView.From(sent), ct);
        MessageDelivery? senderDelivery = null;
        for (var i = 0; i < conversation.Participants.Count; i++)
        {
            var (userId, dto) = (conversation.Participants[i], ConversationDto.From(view, after.UnreadFor(conversation.Participants[i])));
            if (userId == sent.SenderId)
            {
                senderDelivery = new(message, dto, DeliveryStatus.Sent, conversation.LastMessageSequence);
                await notifier.ToUser(userId, ClientEvents.MessageSent, senderDelivery, ct);
                continue;
            }
            await notifier.ToUser(userId, ClientEvents.NewMessage, new MessageDelivery(message, dto, DeliveryStatus.Delivered, conversation.LastMessageSequence), ct);
            await notifier.ToUser(userId, ClientEvents.ReceiveMessage, new ReceivedMessage(message, dto), ct);
        }
        return senderDelivery!;
    }

    /// <summary>What the sender is answered for a message already stored, without pushing anything.</summary>
    public static async Task<MessageDelivery> DeliveryToSender(this IQuerySession session, ContentCipher cipher, MessageView message, CancellationToken ct)
    {
        var view = await session.LoadVisibleConversation(message.ConversationId, message.SenderId, ct);
        var previous = await session.Query<MessageView>()
            .Where(m => m.ConversationId == message.ConversationId && m.Sequence < message.Sequence)
            .OrderByDescending(m => m.Sequence).Select(m => m.Sequence).FirstOrDefaultAsync(ct);
        return new(message, await session.ToDto(cipher, view, message.SenderId, ct), DeliveryStatus.Sent, previous);
    }

    /// <summary>Pushes a message's new state (<c>messageEdited</c>, <c>messageDeleted</c>) to every participant.</summary>
    public static async Task PushChange(this INotifier notifier, IEnumerable<Guid> participants, string eventName, MessageView message)
    {
        foreach (var participant in participants)
            await notifier.ToUser(participant, eventName, new MessageChanged(message), CancellationToken.None);
    }
}
