using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Domain.Users;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Webhooks;

/// <summary>
/// What a delivery's body says (docs/api.md#webhooks). <see cref="Data"/> is the audit trail's event object for a
/// conversation event, or a <see cref="PushRequest"/>.
/// </summary>
/// <param name="Id">The delivery's id: the same on every retry, so a receiver can drop a repeat.</param>
public sealed record WebhookEnvelope(Guid Id, Guid WebhookId, string Type, Guid ConversationId, bool Replay, DateTimeOffset CreatedAt, object Data);

/// <summary>A message reached <see cref="RecipientId"/>, who has no open connection: the app may send a mobile push.</summary>
/// <param name="RecipientExternalId">The app's own id for the recipient, for one of the app's users; null for an account registered with EventChat.</param>
/// <param name="SenderName">The sender's display name, for the notification's title.</param>
/// <param name="UnreadCount">The recipient's unread messages in the conversation, when the request goes out.</param>
/// <param name="Preview">The start of the latest message's text; null when the operator turned previews off, or the text is erased.</param>
public sealed record PushRequest(
    Guid RecipientId, string? RecipientExternalId, Guid ConversationId, Guid SenderId, string SenderName, Guid MessageId, long Sequence,
    int UnreadCount, string? Preview, DateTimeOffset SentAt);

/// <summary>
/// Builds a delivery's body when it goes out, not when it was queued, from what is true then: text erased since is
/// not sent (a webhook is not a way around erasure), and a push request carries the latest message and unread count.
/// </summary>
public sealed class WebhookPayloads(IDocumentStore store, AuditTrail trail, ContentCipher cipher, IPresence presence, WebhookOptions options)
{
    /// <summary>The body, or null when there is nothing to send any more (the event is gone; the recipient came online, or read, or replied).</summary>
    public async Task<WebhookEnvelope?> Body(WebhookDelivery delivery, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        object? data = delivery.EventType == WebhookEventTypes.PushRequested
            ? await Push(session, delivery.ConversationId, delivery.RecipientId!.Value, ct)
            : await Event(session, delivery.Sequence, ct);
        return data is null ? null : new(delivery.Id, delivery.WebhookId, delivery.EventType, delivery.ConversationId, delivery.Replay, delivery.CreatedAt, data);
    }

    // As an admin reads the audit trail: a deleted message's text is there for moderation, an erased one is not.
    private async Task<HistoryEvent?> Event(IQuerySession session, long sequence, CancellationToken ct)
    {
        var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence == sequence).ToListAsync(ct);
        return events.Count == 0 ? null : (await trail.Readable(session, events, isAdmin: true, ct))[0];
    }

    private async Task<PushRequest?> Push(IQuerySession session, Guid conversationId, Guid recipientId, CancellationToken ct)
    {
        if ((await presence.Online([recipientId])).Count > 0)
            return null;
        var view = await session.LoadAsync<ConversationView>(conversationId, ct);
        if (view?.LastMessage is not { } last || last.SenderId == recipientId || !view.ParticipantIds.Contains(recipientId))
            return null;
        var unread = (await session.CountUnread([(view, recipientId)], ct))[0];
        if (unread == 0)
            return null;
        var people = (await session.LoadManyAsync<UserAccount>(ct, recipientId, last.SenderId)).ToDictionary(account => account.Id);
        return new(recipientId, people.GetValueOrDefault(recipientId)?.ExternalId, conversationId, last.SenderId,
            people.GetValueOrDefault(last.SenderId)?.DisplayName ?? UserAccount.ErasedName, last.Id, last.Sequence, unread, await Preview(session, last, ct), last.SentAt);
    }

    private async Task<string?> Preview(IQuerySession session, MessageView message, CancellationToken ct)
    {
        if (!options.PushPreview || message.DeletedAt is not null)
            return null;
        var (text, erasedAt) = (await cipher.Keys(session, [message.Content], ct)).Read(message.Content);
        return erasedAt is not null ? null : text.Length <= WebhookOptions.PreviewLength ? text : text[..WebhookOptions.PreviewLength] + "…";
    }
}
