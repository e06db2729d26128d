namespace EventChat.Domain.Posts;

/// <summary>Every event of a post stream (one stream per post, its id the post's id).</summary>
public interface IPostEvent
{
    Guid PostId { get; }
}

public sealed record PostCreated(
    Guid PostId,
    Guid AuthorId,
    string Content,
    DateTimeOffset CreatedAt) : IPostEvent;

/// <summary><paramref name="UserId"/> liked the post; a user's like counts once, whoever the author is.</summary>
public sealed record PostLiked(
    Guid PostId,
    Guid UserId,
    DateTimeOffset LikedAt) : IPostEvent;

/// <summary><paramref name="UserId"/> took back their like.</summary>
public sealed record PostUnliked(
    Guid PostId,
    Guid UserId,
    DateTimeOffset UnlikedAt) : IPostEvent;

/// <summary>
/// A comment by <paramref name="AuthorId"/> (the commenter, not the post's author), numbered by
/// <paramref name="Sequence"/>: 1 for the post's first comment, then 2, 3, … with no gaps.
/// </summary>
public sealed record PostCommented(
    Guid PostId,
    Guid CommentId,
    Guid AuthorId,
    string Content,
    long Sequence,
    DateTimeOffset CommentedAt) : IPostEvent;
