using EventChat.Application.Ports;
using EventChat.Domain.Posts;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Posts;

/// <summary>Comments on a post; any signed-in user may, the author included.</summary>
public sealed record CommentOnPost(Guid UserId, Guid PostId, string? Content) : ICommand<CommentResult>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => UserId;
}

public sealed class CommentOnPostValidator : AbstractValidator<CommentOnPost>
{
    public CommentOnPostValidator()
    {
        RuleFor(c => c.PostId).NotEmpty();
        RuleFor(c => c.Content).NotEmpty().WithMessage("Content must not be empty.")
            .MaximumLength(Post.MaxCommentLength);
    }
}

public sealed class CommentOnPostHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<CommentOnPostHandler> log)
    : ICommandHandler<CommentOnPost, CommentResult>
{
    public async ValueTask<CommentResult> Handle(CommentOnPost command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, post) = await session.OpenPost(command.PostId, ct);
        var commented = post.Comment(Guid.CreateVersion7(), command.UserId, command.Content!, clock.GetUtcNow());
        stream.AppendOne(commented);
        await session.SaveChangesAsync(ct);
        log.LogInformation("post {PostId} commented by {UserId} at sequence {Sequence}", commented.PostId, commented.AuthorId, commented.Sequence);
        var result = new CommentResult(post.Id, CommentView.From(commented), commented.Sequence);
        await notifier.ToFollowersAndAuthor(post.Id, post.AuthorId, ClientEvents.PostCommented, result);
        return result;
    }
}
