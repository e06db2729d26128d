using EventChat.Application.Privacy;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Marten.Linq.MatchesSql;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// A page of the caller's conversations, most recently active first, each with the caller's unread count. Without
/// <see cref="Before"/>: the first page. With it: the conversations after that page's <see cref="ConversationPage.Cursor"/>.
/// </summary>
/// <remarks>
/// The cursor is a keyset position, (last activity, id), not an offset: a conversation that becomes active while a
/// client pages moves above every cursor already issued, so the later pages neither repeat it nor skip another one.
/// </remarks>
public sealed record GetConversations(Guid UserId, string? Before = null, int? Limit = null) : IQuery<ConversationPage>
{
    public const int DefaultLimit = GetMessages.DefaultLimit;
    public const int MaxLimit = GetMessages.MaxLimit;
}

/// <param name="Cursor">Where this page ends: pass it as <c>before</c> for the next one. Null for an empty page.</param>
public sealed record ConversationPage(IReadOnlyList<ConversationDto> Items, bool HasMore, string? Cursor);

public sealed class GetConversationsValidator : AbstractValidator<GetConversations>
{
    public GetConversationsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, GetConversations.MaxLimit);
        RuleFor(q => q.Before).Must(cursor => ConversationCursor.TryRead(cursor, out _)).When(q => q.Before is not null)
            .WithMessage("'before' is not a cursor of the conversation list; pass the cursor of the page before.");
    }
}

public sealed class GetConversationsHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetConversations, ConversationPage>
{
    public async ValueTask<ConversationPage> Handle(GetConversations query, CancellationToken ct)
    {
        var limit = query.Limit ?? GetConversations.DefaultLimit;
        var views = session.Query<ConversationView>().WhereParticipant(query.UserId);
        if (ConversationCursor.TryRead(query.Before, out var position))
            views = views.Where(v => v.MatchesSql(ConversationCursor.After, position));
        // One extra row tells whether there is more without a second query.
        var rows = await views.OrderByDescending(v => v.LastActivityAt).ThenByDescending(v => v.Id).Take(limit + 1).ToListAsync(ct);
        var page = rows.Take(limit).ToList();
        var unread = await session.CountUnread([.. page.Select(v => (v, query.UserId))], ct);
        var items = (await cipher.Reveal(session, page, ct)).Select((v, i) => ConversationDto.From(v, unread[i])).ToList();
        return new(items, rows.Count > limit, page.Count > 0 ? ConversationCursor.Issue(page[^1]) : null);
    }
}
