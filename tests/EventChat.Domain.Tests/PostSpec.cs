using EventChat.Domain.Posts;

namespace EventChat.Domain.Tests;

/// <summary>Given a post stream's events, when a decision, then events (or none for a harmless repeat).</summary>
public abstract class PostSpec : ConversationSpec
{
    protected static readonly Guid PostId = Guid.Parse("0199a000-0000-7000-8000-0000000000f1");

    /// <summary>Folds events the way Marten does: Create from the first, Apply for the rest.</summary>
    protected static Post Given(params IPostEvent[] events) =>
        events.Skip(1).Aggregate(Post.Create((PostCreated)events[0]), (state, e) => state.Apply(e));

    protected static PostCreated Created(Guid author, string content = "hello world") => Post.Write(PostId, author, content, Now);

    protected static PostCommented Commented(Post post, Guid commenter, string content = "nice") =>
        post.Comment(Guid.CreateVersion7(), commenter, content, Now);
}
