using EventChat.Domain.Posts;
using Marten.Events.Projections;

namespace EventChat.Projections;

/// <summary>One comment on a post as clients see it; <see cref="Sequence"/> numbers a post's comments 1, 2, 3, …</summary>
public sealed record CommentView(
    Guid Id,
    Guid PostId,
    Guid AuthorId,
    string Content,
    long Sequence,
    DateTimeOffset CreatedAt)
{
    public static CommentView From(PostCommented e) => new(e.CommentId, e.PostId, e.AuthorId, e.Content, e.Sequence, e.CommentedAt);
}

/// <summary>One document per comment, written in the same transaction as the event.</summary>
public sealed partial class CommentViewProjection : EventProjection
{
    public CommentView Create(PostCommented e) => CommentView.From(e);
}
