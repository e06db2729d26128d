using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Posts;

/// <summary>
/// Likes a post (<see cref="Like"/> true) or takes the like back. Idempotent per user: liking twice counts
/// once, and a repeat changes nothing and pushes nothing. Authors may like their own posts.
/// </summary>
public sealed record ChangeLike(Guid UserId, Guid PostId, bool Like) : ICommand<LikeResult>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => UserId;
}

public sealed class ChangeLikeValidator : AbstractValidator<ChangeLike>
{
    public ChangeLikeValidator() => RuleFor(c => c.PostId).NotEmpty();
}

public sealed class ChangeLikeHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<ChangeLikeHandler> log)
    : ICommandHandler<ChangeLike, LikeResult>
{
    public async ValueTask<LikeResult> Handle(ChangeLike command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, post) = await session.OpenPost(command.PostId, ct);
        object? changed = command.Like ? post.Like(command.UserId, clock.GetUtcNow()) : post.Unlike(command.UserId, clock.GetUtcNow());
        if (changed is null)
            return new(post.Id, post.LikeCount);
        stream.AppendOne(changed);
        await session.SaveChangesAsync(ct);
        var likeCount = post.LikeCount + (command.Like ? 1 : -1);
        log.LogInformation("post {PostId} {Change} by {UserId}", post.Id, command.Like ? "liked" : "unliked", command.UserId);
        await notifier.ToFollowersAndAuthor(post.Id, post.AuthorId, command.Like ? ClientEvents.PostLiked : ClientEvents.PostUnliked,
            new PostLikeChanged(post.Id, command.UserId, likeCount));
        return new(post.Id, likeCount);
    }
}
