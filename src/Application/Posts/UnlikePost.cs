using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Posts;

/// <summary>Takes back the caller's like; without one it changes nothing and pushes nothing.</summary>
public sealed record UnlikePost(Guid UserId, Guid PostId) : ICommand<LikeResult>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => UserId;
}

public sealed class UnlikePostValidator : AbstractValidator<UnlikePost>
{
    public UnlikePostValidator() => RuleFor(c => c.PostId).NotEmpty();
}

public sealed class UnlikePostHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<UnlikePostHandler> log)
    : ICommandHandler<UnlikePost, LikeResult>
{
    public async ValueTask<LikeResult> Handle(UnlikePost command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, post) = await session.OpenPost(command.PostId, ct);
        if (post.Unlike(command.UserId, clock.GetUtcNow()) is not { } unliked)
            return new(post.Id, post.LikeCount);
        stream.AppendOne(unliked);
        await session.SaveChangesAsync(ct);
        var likeCount = post.Apply(unliked).LikeCount;
        log.LogInformation("post {PostId} unliked by {UserId}", unliked.PostId, unliked.UserId);
        await notifier.ToFollowersAndAuthor(post.Id, post.AuthorId, ClientEvents.PostUnliked, new PostLikeChanged(post.Id, unliked.UserId, likeCount));
        return new(post.Id, likeCount);
    }
}
