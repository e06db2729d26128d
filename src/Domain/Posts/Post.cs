using System.Collections.Immutable;

namespace EventChat.Domain.Posts;

/// <summary>
/// The write model of one post stream: only what decisions need. Posts are public to every signed-in
/// user, so no decision checks who the actor is beyond recording them.
/// </summary>
/// <param name="Likers">Who likes the post now; keeps a like idempotent per user.</param>
/// <param name="CommentCount">Comments so far; the next comment's sequence is one more.</param>
public sealed record Post(Guid Id, Guid AuthorId, ImmutableHashSet<Guid> Likers, long CommentCount)
{
    /// <summary>The same limit as a chat message, so a client can share one text box.</summary>
    public const int MaxContentLength = 4000;

    public const int MaxCommentLength = 2000;

    public static Post Create(PostCreated e) => new(e.PostId, e.AuthorId, [], CommentCount: 0);

    /// <summary>The one fold of a post stream after <see cref="Create"/>: Marten's snapshot and the domain tests both apply events here.</summary>
    public Post Apply(IPostEvent e) => e switch
    {
        PostLiked liked => this with { Likers = Likers.Add(liked.UserId) },
        PostUnliked unliked => this with { Likers = Likers.Remove(unliked.UserId) },
        PostCommented commented => this with { CommentCount = commented.Sequence },
        _ => throw new UnknownEventException(typeof(Post), e),
    };

    public int LikeCount => Likers.Count;

    /// <summary>Content is stored as written; its shape (1..<see cref="MaxContentLength"/>, not blank) is checked before.</summary>
    public static PostCreated Write(Guid id, Guid authorId, string content, DateTimeOffset now) => new(id, authorId, content, now);

    /// <summary>Likes the post; liking it again changes nothing. Authors may like their own posts.</summary>
    public PostLiked? Like(Guid userId, DateTimeOffset now) => Likers.Contains(userId) ? null : new(Id, userId, now);

    /// <summary>Takes a like back; taking back a like that is not there changes nothing.</summary>
    public PostUnliked? Unlike(Guid userId, DateTimeOffset now) => Likers.Contains(userId) ? new(Id, userId, now) : null;

    /// <summary>Any signed-in user may comment, the author included; comments are numbered 1, 2, 3, … per post.</summary>
    public PostCommented Comment(Guid commentId, Guid userId, string content, DateTimeOffset now) =>
        new(Id, commentId, userId, content, CommentCount + 1, now);
}
