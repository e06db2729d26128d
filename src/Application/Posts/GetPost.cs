using EventChat.Domain;
using EventChat.Projections;
using Marten;
using Marten.Services.BatchQuerying;
using Mediator;

namespace EventChat.Application.Posts;

/// <summary>One post with its likers and newest comments; posts are public to every signed-in user.</summary>
public sealed record GetPost(Guid PostId) : IQuery<PostDto>
{
    public const int RecentComments = 20;
}

public sealed class GetPostHandler(IQuerySession session) : IQueryHandler<GetPost, PostDto>
{
    public async ValueTask<PostDto> Handle(GetPost query, CancellationToken ct)
    {
        // One round trip for the post and its newest comments.
        var batch = session.CreateBatchQuery();
        var post = batch.Load<PostView>(query.PostId);
        var comments = batch.RecentComments(query.PostId);
        await batch.Execute(ct);
        var view = await post ?? throw DomainException.NotFound("Post");
        return PostDto.From(view, await comments);
    }
}

public static class PostReads
{
    /// <summary>Queues the post's newest comments (<see cref="GetPost.RecentComments"/>), oldest first, as <see cref="PostDto"/> shows them.</summary>
    public static async Task<IReadOnlyList<CommentView>> RecentComments(this IBatchedQuery batch, Guid postId) =>
        [.. (await batch.Query<CommentView>().Where(c => c.PostId == postId)
            .OrderByDescending(c => c.Sequence).Take(GetPost.RecentComments).ToList()).Reverse()];
}

/// <summary>The author of a post, to check it exists and to route its pushes; not found if there is no such post.</summary>
public sealed record GetPostAuthor(Guid PostId) : IQuery<Guid>;

public sealed class GetPostAuthorHandler(IQuerySession session) : IQueryHandler<GetPostAuthor, Guid>
{
    public async ValueTask<Guid> Handle(GetPostAuthor query, CancellationToken ct) =>
        (await session.LoadAsync<PostView>(query.PostId, ct))?.AuthorId ?? throw DomainException.NotFound("Post");
}
