using EventChat.Application.Ports;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Conversations;

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
        var message = MessageView.From(sent);
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
}
