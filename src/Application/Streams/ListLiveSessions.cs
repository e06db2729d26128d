using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Marten.Linq.MatchesSql;
using Mediator;

namespace EventChat.Application.Streams;

/// <summary>
/// A page of the live sessions in <see cref="State"/> (<c>live</c> unless asked otherwise: the directory shows what one
/// can join), most recently started first, each with its current viewer count. Without <see cref="Before"/>: the first
/// page. With it: the sessions after that page's <see cref="LiveSessionPage.Cursor"/>.
/// </summary>
/// <remarks>
/// The order is by start, which never changes, so a session that ends while a client pages drops out of the live
/// list's later pages and the others keep their places.
/// </remarks>
public sealed record ListLiveSessions(string? State = null, string? Before = null, int? Limit = null) : IQuery<LiveSessionPage>
{
    public const int DefaultLimit = GetConversations.DefaultLimit;
    public const int MaxLimit = GetConversations.MaxLimit;

    // Each state's list has cursors of its own: a place in the live list means nothing in the ended one.
    private static readonly NewestFirstCursor LiveCursor = new(Format: 3, TimeColumn: "started_at");
    private static readonly NewestFirstCursor EndedCursor = new(Format: 4, TimeColumn: "started_at");

    public bool Ended => State == LiveSessionStates.Ended;

    /// <summary>(started at, id), read from the index of the state's list, mt_doc_livesessionview_live or _ended.</summary>
    public NewestFirstCursor Cursor => Ended ? EndedCursor : LiveCursor;
}

/// <param name="Cursor">Where this page ends: pass it as <c>before</c> for the next one. Null for an empty page.</param>
public sealed record LiveSessionPage(IReadOnlyList<LiveSessionDto> Items, bool HasMore, string? Cursor);

public sealed class ListLiveSessionsValidator : AbstractValidator<ListLiveSessions>
{
    public ListLiveSessionsValidator()
    {
        RuleFor(q => q.State).Must(state => LiveSessionStates.All.Contains(state)).When(q => q.State is not null)
            .WithMessage("'state' must be 'live' or 'ended'.");
        RuleFor(q => q.Limit).InclusiveBetween(1, ListLiveSessions.MaxLimit);
        RuleFor(q => q.Before).Must((q, cursor) => q.Cursor.TryRead(cursor, out _)).When(q => q.Before is not null)
            .WithMessage("'before' is not a cursor of this list of sessions; pass the cursor of the page before, with the same state.");
    }
}

public sealed class ListLiveSessionsHandler(IQuerySession session, IStreamViewers viewers) : IQueryHandler<ListLiveSessions, LiveSessionPage>
{
    public async ValueTask<LiveSessionPage> Handle(ListLiveSessions query, CancellationToken ct)
    {
        var limit = query.Limit ?? ListLiveSessions.DefaultLimit;
        var sessions = query.Ended ? session.Query<LiveSessionView>().Where(v => v.EndedAt != null) : session.Query<LiveSessionView>().Where(v => v.EndedAt == null);
        if (query.Cursor.TryRead(query.Before, out var position))
            sessions = sessions.Where(v => v.MatchesSql(query.Cursor.After, position));
        // One extra row tells whether there is more without a second query.
        var rows = await sessions.OrderByDescending(v => v.StartedAt).ThenByDescending(v => v.Id).Take(limit + 1).ToListAsync(ct);
        var page = rows.Take(limit).ToList();
        var items = new List<LiveSessionDto>(page.Count);
        foreach (var view in page)
            items.Add(LiveSessionDto.From(view, view.IsLive ? await viewers.Count(view.Id) : 0));
        return new(items, rows.Count > limit, page.Count > 0 ? query.Cursor.Issue(page[^1].StartedAt, page[^1].Id) : null);
    }
}
