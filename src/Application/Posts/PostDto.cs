using EventChat.Projections;

namespace EventChat.Application.Posts;

/// <summary>
/// The <c>post</c> object: the post, its counts, every current liker (oldest like first) and its newest
/// comments (up to <see cref="GetPost.RecentComments"/>, oldest first); older comments are paged with <see cref="GetComments"/>.
/// </summary>
public sealed record PostDto(
    Guid Id,
    Guid AuthorId,
    string Content,
    DateTimeOffset CreatedAt,
    int LikeCount,
    long CommentCount,
    IReadOnlyList<Guid> LikedBy,
    IReadOnlyList<CommentView> RecentComments)
{
    public static PostDto From(PostView view, IReadOnlyList<CommentView> recentComments) =>
        new(view.Id, view.AuthorId, view.Content, view.CreatedAt, view.LikeCount, view.CommentCount, view.LikedBy, recentComments);
}
