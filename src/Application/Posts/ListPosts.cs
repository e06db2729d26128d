using EventChat.Application.Conversations;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Marten.Linq.MatchesSql;
using Mediator;

namespace EventChat.Application.Posts;

/// <summary>
/// The feed: a page of every post, newest first, each as <see cref="GetPost"/> shows it. Without <see cref="Before"/>:
/// the first page. With it: the posts after that page's <see cref="PostPage.Cursor"/>.
/// </summary>
/// <remarks>Posts are public to every signed-in user, so everyone reads the same feed.</remarks>
public sealed record ListPosts(string? Before = null, int? Limit = null) : IQuery<PostPage>
{
    public const int DefaultLimit = GetConversations.DefaultLimit;
    public const int MaxLimit = GetConversations.MaxLimit;

    /// <summary>(created at, id), read from the index mt_doc_postview_feed.</summary>
    public static readonly NewestFirstCursor Cursor = new(Format: 2, TimeColumn: "created_at");
}

/// <param name="Cursor">Where this page ends: pass it as <c>before</c> for the next one. Null for an empty page.</param>
public sealed record PostPage(IReadOnlyList<PostDto> Items, bool HasMore, string? Cursor);

public sealed class ListPostsValidator : AbstractValidator<ListPosts>
{
    public ListPostsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, ListPosts.MaxLimit);
        RuleFor(q => q.Before).Must(cursor => ListPosts.Cursor.TryRead(cursor, out _)).When(q => q.Before is not null)
            .WithMessage("'before' is not a cursor of the feed; pass the cursor of the page before.");
    }
}

public sealed class ListPostsHandler(IQuerySession session) : IQueryHandler<ListPosts, PostPage>
{
    public async ValueTask<PostPage> Handle(ListPosts query, CancellationToken ct)
    {
        var limit = query.Limit ?? ListPosts.DefaultLimit;
        var posts = session.Query<PostView>().AsQueryable();
        if (ListPosts.Cursor.TryRead(query.Before, out var position))
            posts = posts.Where(p => p.MatchesSql(ListPosts.Cursor.After, position));
        // One extra row tells whether there is more without a second query.
        var rows = await posts.OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id).Take(limit + 1).ToListAsync(ct);
        var page = rows.Take(limit).ToList();
        // Each post's newest comments, all in one round trip.
        var batch = session.CreateBatchQuery();
        var comments = page.Select(p => batch.RecentComments(p.Id)).ToList();
        if (page.Count > 0)
            await batch.Execute(ct);
        var items = new List<PostDto>(page.Count);
        for (var i = 0; i < page.Count; i++)
            items.Add(PostDto.From(page[i], await comments[i]));
        return new(items, rows.Count > limit, page.Count > 0 ? ListPosts.Cursor.Issue(page[^1].CreatedAt, page[^1].Id) : null);
    }
}
