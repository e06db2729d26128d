using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Posts;

/// <summary>Likes a post; liking it again changes nothing and pushes nothing. Authors may like their own posts.</summary>
public sealed record LikePost(Guid UserId, Guid PostId) : ICommand<LikeResult>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => UserId;
}

public sealed class LikePostValidator : AbstractValidator<LikePost>
{
    public LikePostValidator() => RuleFor(c => c.PostId).NotEmpty();
}

public sealed class LikePostHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<LikePostHandler> log)
    : ICommandHandler<LikePost, LikeResult>
{
    public async ValueTask<LikeResult> Handle(LikePost command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, post) = await session.OpenPost(command.PostId, ct);
        if (post.Like(command.UserId, clock.GetUtcNow()) is not { } liked)
            return new(post.Id, post.LikeCount);
        stream.AppendOne(liked);
        await session.SaveChangesAsync(ct);
        var likeCount = post.Apply(liked).LikeCount;
        log.LogInformation("post {PostId} liked by {UserId}", liked.PostId, liked.UserId);
        await notifier.ToFollowersAndAuthor(post.Id, post.AuthorId, ClientEvents.PostLiked, new PostLikeChanged(post.Id, liked.UserId, likeCount));
        return new(post.Id, likeCount);
    }
}
