using EventChat.Application.Ports;
using EventChat.Projections;

namespace EventChat.Application.Posts;

/// <summary>The <c>post-liked</c> / <c>post-unliked</c> payload.</summary>
public sealed record PostLikeChanged(Guid PostId, Guid UserId, int LikeCount);

/// <summary>What <c>comment-post</c> returns and <c>post-commented</c> carries.</summary>
public sealed record CommentResult(Guid PostId, CommentView Comment, long CommentCount);

/// <summary>What <c>like-post</c> / <c>unlike-post</c> return.</summary>
public sealed record LikeResult(Guid PostId, int LikeCount);

public static class PostPushes
{
    /// <summary>
    /// Pushes a committed change to the post's followers (<c>post_{id}</c>) and to every connection of its
    /// author. The author is never in the group (join-post skips them), so each connection gets it once.
    /// </summary>
    public static async Task ToFollowersAndAuthor(this INotifier notifier, Guid postId, Guid authorId, string eventName, object payload)
    {
        // Committed: the caller hanging up must not cancel the others' pushes.
        await notifier.ToGroup(RealtimeGroups.Post(postId), eventName, payload, CancellationToken.None);
        await notifier.ToUser(authorId, eventName, payload, CancellationToken.None);
    }
}
