using System.Collections.Immutable;
using EventChat.Domain.Conversations;
using Marten.Events.Aggregation;

namespace EventChat.Projections;

/// <summary>A conversation as its participants list it; unread counts are computed per reader at query time.</summary>
public sealed record ConversationView(
    Guid Id,
    ConversationKind Kind,
    string? Title,
    IReadOnlyList<Guid> ParticipantIds,
    DateTimeOffset CreatedAt,
    MessageView? LastMessage,
    long LastSequence,
    DateTimeOffset LastActivityAt,
    ImmutableDictionary<Guid, long> ReadUpTo)
{
    public long ReadUpToFor(Guid userId) => ReadUpTo.GetValueOrDefault(userId);
}

public sealed partial class ConversationViewProjection : SingleStreamProjection<ConversationView, Guid>
{
    public static ConversationView Create(ConversationStarted e) =>
        new(e.ConversationId, e.Kind, e.Title, e.ParticipantIds, e.StartedAt, null, 0, e.StartedAt, ImmutableDictionary<Guid, long>.Empty);

    public static ConversationView Apply(MessageSent e, ConversationView view) =>
        view with { LastMessage = MessageView.From(e), LastSequence = e.Sequence, LastActivityAt = e.SentAt };

    public static ConversationView Apply(MessagesMarkedRead e, ConversationView view) =>
        view with { ReadUpTo = view.ReadUpTo.SetItem(e.ReaderId, e.UpToSequence) };
}
