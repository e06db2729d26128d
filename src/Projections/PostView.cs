using EventChat.Domain.Posts;
using Marten.Linq.MatchesSql;
using Marten.Events.Aggregation;

namespace EventChat.Projections;

/// <summary>
/// A post as any signed-in user sees it. <see cref="LikedBy"/> is every current liker, oldest like first,
/// so the author sees who liked; <see cref="LikeCount"/> always equals its length.
/// </summary>
public sealed record PostView(
    Guid Id,
    Guid AuthorId,
    string Content,
    DateTimeOffset CreatedAt,
    int LikeCount,
    long CommentCount,
    IReadOnlyList<Guid> LikedBy)
{
    public static PostView From(PostCreated e) => new(e.PostId, e.AuthorId, e.Content, e.CreatedAt, 0, 0, []);
}

public sealed partial class PostViewProjection : SingleStreamProjection<PostView, Guid>
{
    public static PostView Create(PostCreated e) => PostView.From(e);

    // The write model refuses a repeat like or an unlike without a like, so these guards only matter on a replay of odd history.
    public static PostView Apply(PostLiked e, PostView view) =>
        view.LikedBy.Contains(e.UserId) ? view : view with { LikedBy = [.. view.LikedBy, e.UserId], LikeCount = view.LikeCount + 1 };

    public static PostView Apply(PostUnliked e, PostView view) =>
        view.LikedBy.Contains(e.UserId) ? view with { LikedBy = [.. view.LikedBy.Where(u => u != e.UserId)], LikeCount = view.LikeCount - 1 } : view;

    public static PostView Apply(PostCommented e, PostView view) => view with { CommentCount = e.Sequence };
}

public static class PostLikers
{
    // The expression Marten gives mt_doc_postview_likers (ProjectionsSetup); PostgreSQL uses the index only for it.
    private const string LikedByMember = "CAST(d.data ->> 'likedBy' as jsonb) @> ?::jsonb";

    /// <summary>The posts <paramref name="userId"/> likes now.</summary>
    public static IQueryable<PostView> LikedBy(this IQueryable<PostView> posts, Guid userId)
    {
        object[] liker = [ConversationMembership.Member(userId)];
        return posts.Where(p => p.MatchesSql(LikedByMember, liker));
    }
}
