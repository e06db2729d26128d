using System.Collections.Immutable;
using EventChat.Domain.Conversations;
using Marten.Events.Aggregation;
using Marten.Linq.MatchesSql;

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

/// <summary>
/// Which conversations a user is in, asked through the index on <c>participantIds</c> alone
/// (<see cref="ProjectionsSetup"/>). LINQ's <c>ParticipantIds.Contains(id)</c> would compare the whole document
/// (<c>data @> …</c>), which only a GIN index over every value of the view answers, and such an index takes new
/// entries for every message: it grew to a hundred megabytes for a few hundred conversations and stalled sends
/// while PostgreSQL merged them (docs/performance.md).
/// </summary>
public static class ConversationMembership
{
    /// <summary>
    /// SQL that is true when the conversation row aliased <paramref name="alias"/> has the user bound to its <c>?</c>
    /// (as <see cref="Member"/>) among its participants. It is the expression Marten gives the index in
    /// ProjectionsSetup, and PostgreSQL uses that index only for this very expression.
    /// </summary>
    public static string Includes(string alias) => $"CAST({alias}.data ->> 'participantIds' as jsonb) @> ?::jsonb";

    /// <summary>The parameter of <see cref="Includes"/> for <paramref name="userId"/>.</summary>
    public static string Member(Guid userId) => $"[\"{userId}\"]";

    private static readonly string IncludesDocument = Includes("d");

    public static IQueryable<ConversationView> WhereParticipant(this IQueryable<ConversationView> views, Guid userId)
    {
        // A variable, not a new array in the lambda: Marten compiles any expression that is not a constant or a
        // captured value, once per query.
        object[] member = [Member(userId)];
        return views.Where(v => v.MatchesSql(IncludesDocument, member));
    }
}

public sealed partial class ConversationViewProjection : SingleStreamProjection<ConversationView, Guid>
{
    public static ConversationView Create(ConversationStarted e) =>
        new(e.ConversationId, e.Kind, e.Title, e.ParticipantIds, e.StartedAt, null, 0, e.StartedAt, ImmutableDictionary<Guid, long>.Empty);

    public static ConversationView Apply(MessageSent e, ConversationView view) =>
        view with { LastMessage = MessageView.From(e), LastSequence = e.Sequence, LastActivityAt = e.SentAt };

    // The list shows the last message as it is now: edited text, or a tombstone.
    public static ConversationView Apply(MessageEdited e, ConversationView view) =>
        view.LastMessage?.Id == e.MessageId ? view with { LastMessage = view.LastMessage.Edited(e) } : view;

    public static ConversationView Apply(MessageDeleted e, ConversationView view) =>
        view.LastMessage?.Id == e.MessageId ? view with { LastMessage = view.LastMessage.Deleted(e) } : view;

    public static ConversationView Apply(MessagesMarkedRead e, ConversationView view) =>
        view with { ReadUpTo = view.ReadUpTo.SetItem(e.ReaderId, e.UpToSequence) };

    // Newcomers go last, keeping participantIds in join order. A departed user's ReadUpTo entry stays:
    // it is never read for a non-participant, and it spares someone added back their old unread messages.
    public static ConversationView Apply(ParticipantAdded e, ConversationView view) =>
        view.ParticipantIds.Contains(e.UserId) ? view : view with { ParticipantIds = [.. view.ParticipantIds, e.UserId], LastActivityAt = e.AddedAt };

    public static ConversationView Apply(ParticipantRemoved e, ConversationView view) =>
        view with { ParticipantIds = [.. view.ParticipantIds.Where(p => p != e.UserId)], LastActivityAt = e.RemovedAt };

    public static ConversationView Apply(ParticipantLeft e, ConversationView view) =>
        view with { ParticipantIds = [.. view.ParticipantIds.Where(p => p != e.UserId)], LastActivityAt = e.LeftAt };
}
