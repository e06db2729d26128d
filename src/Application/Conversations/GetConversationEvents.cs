using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// A conversation's event history, the audit trail: who did what, when, in stream order. For participants
/// and admins. The text of a message that has since been deleted is redacted for everyone but admins; text whose key
/// has been destroyed reads as erased for everyone (<see cref="HistoryEvent.Erased"/>).
/// </summary>
public sealed record GetConversationEvents(Guid UserId, bool IsAdmin, Guid ConversationId, long? After = null, int? Limit = null) : IQuery<EventPage>;

public sealed record EventPage(IReadOnlyList<HistoryEvent> Items, bool HasMore);

public sealed class GetConversationEventsValidator : AbstractValidator<GetConversationEvents>
{
    public GetConversationEventsValidator()
    {
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
        RuleFor(q => q.Limit).InclusiveBetween(1, GetMessages.MaxLimit);
    }
}

public sealed class GetConversationEventsHandler(IQuerySession session, AuditTrail trail) : IQueryHandler<GetConversationEvents, EventPage>
{
    public async ValueTask<EventPage> Handle(GetConversationEvents query, CancellationToken ct)
    {
        // Admins audit conversations, and only conversations: any other stream (a user's registration, a post) is not found.
        if (query.IsAdmin)
            _ = await session.LoadAsync<ConversationView>(query.ConversationId, ct) ?? throw DomainException.NotFound("Conversation");
        else
            await session.LoadVisibleConversation(query.ConversationId, query.UserId, ct);
        var (after, limit) = (query.After ?? 0, query.Limit ?? GetMessages.DefaultLimit);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamId == query.ConversationId && e.Version > after)
            .OrderBy(e => e.Version).Take(limit + 1).ToListAsync(ct);
        return new(await trail.Readable(session, [.. events.Take(limit)], query.IsAdmin, ct), events.Count > limit);
    }
}
