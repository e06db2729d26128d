using EventChat.Application.Ports;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Conversations;

/// <summary>The <c>messageEdited</c>/<c>messageDeleted</c> payload.</summary>
public sealed record MessageChanged(MessageView Message);

/// <summary>Pushes a stored message to everyone in its conversation, each with their own unread count.</summary>
public static class MessageDeliveries
{
    public const string Sent = "sent";
    public const string Delivered = "delivered";

    public static async Task<MessageDelivery> Deliver(this INotifier notifier, IQuerySession session, MessageSent sent, CancellationToken ct)
    {
        var view = await session.LoadAsync<ConversationView>(sent.ConversationId, ct)
            ?? throw new InvalidOperationException($"Conversation view {sent.ConversationId} is missing after a committed send.");
        var unread = await session.CountUnread([.. view.ParticipantIds.Select(p => (view, p))], ct);
        var message = await session.WithReplyPreview(MessageView.From(sent), ct);
        MessageDelivery? senderDelivery = null;
        for (var i = 0; i < view.ParticipantIds.Count; i++)
        {
            var (userId, conversation) = (view.ParticipantIds[i], ConversationDto.From(view, unread[i]));
            if (userId == sent.SenderId)
            {
                senderDelivery = new(message, conversation, Sent);
                await notifier.ToUser(userId, ClientEvents.MessageSent, senderDelivery, ct);
                continue;
            }
            await notifier.ToUser(userId, ClientEvents.NewMessage, new MessageDelivery(message, conversation, Delivered), ct);
            await notifier.ToUser(userId, ClientEvents.ReceiveMessage, new ReceivedMessage(message, conversation), ct);
        }
        return senderDelivery!;
    }

    /// <summary>What the sender is answered for a message already stored, without pushing anything.</summary>
    public static async Task<MessageDelivery> DeliveryToSender(this IQuerySession session, MessageView message, CancellationToken ct)
    {
        var view = await session.LoadVisibleConversation(message.ConversationId, message.SenderId, ct);
        return new(message, await session.ToDto(view, message.SenderId, ct), Sent);
    }

    /// <summary>Pushes a message's new state (<c>messageEdited</c>, <c>messageDeleted</c>) to every participant.</summary>
    public static async Task PushChange(this INotifier notifier, IEnumerable<Guid> participants, string eventName, MessageView message)
    {
        foreach (var participant in participants)
            await notifier.ToUser(participant, eventName, new MessageChanged(message), CancellationToken.None);
    }
}
