using EventChat.Domain.Conversations;

namespace EventChat.Application.Webhooks;

/// <summary>
/// An endpoint an admin registered: the events it wants, delivered to <see cref="Url"/> and signed with
/// <see cref="Secret"/> (docs/integrations.md#webhooks). A Marten document.
/// </summary>
public sealed class Webhook
{
    public Guid Id { get; set; }
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key of every delivery's signature, shared with the receiver.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The event types it wants (<see cref="WebhookEventTypes"/>); empty for every one.</summary>
    public string[] EventTypes { get; set; } = [];

    /// <summary>The event store's last sequence when it was registered: it is sent what comes after; what came before, by replay.</summary>
    public long StartsAfter { get; set; }

    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool Wants(string eventType, long sequence) => sequence > StartsAfter && (EventTypes.Length == 0 || EventTypes.Contains(eventType));
}

/// <summary>What a webhook can be sent: every event of a conversation's stream, by its name, and the push request.</summary>
public static class WebhookEventTypes
{
    /// <summary>A message reached a participant with no open connection (<see cref="WebhookOutbox"/>).</summary>
    public const string PushRequested = "PushRequested";

    /// <summary>Every event of a conversation's stream; its type's name is its name in the audit trail and in webhooks.</summary>
    public static readonly IReadOnlyList<Type> ConversationEventTypes =
    [
        typeof(ConversationStarted), typeof(MessageSent), typeof(MessageEdited), typeof(MessageDeleted), typeof(MessagesMarkedRead),
        typeof(ParticipantAdded), typeof(ParticipantRemoved), typeof(ParticipantLeft), typeof(ConversationErasureConsented), typeof(ConversationContentErased),
    ];

    public static readonly IReadOnlyList<string> ConversationEvents = [.. ConversationEventTypes.Select(type => type.Name)];

    public static readonly IReadOnlyList<string> All = [.. ConversationEvents, PushRequested];

    public static bool IsKnown(string type) => All.Contains(type);
}

/// <summary>The public view of a webhook: never its secret, which is shown once, when it is registered.</summary>
public sealed record WebhookDto(Guid Id, string Url, IReadOnlyList<string> EventTypes, long StartsAfter, DateTimeOffset CreatedAt)
{
    public static WebhookDto Of(Webhook hook) => new(hook.Id, hook.Url, hook.EventTypes, hook.StartsAfter, hook.CreatedAt);
}
