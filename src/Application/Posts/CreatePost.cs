using EventChat.Application.Ports;
using EventChat.Domain.Posts;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Posts;

/// <summary>Publishes a post; posts are public to every signed-in user.</summary>
public sealed record CreatePost(Guid AuthorId, string? Content) : ICommand<PostDto>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => AuthorId;
}

public sealed class CreatePostValidator : AbstractValidator<CreatePost>
{
    public CreatePostValidator() =>
        // NotEmpty also refuses whitespace-only content.
        RuleFor(c => c.Content).NotEmpty().WithMessage("Content must not be empty.")
            .MaximumLength(Post.MaxContentLength);
}

public sealed class CreatePostHandler(IDocumentStore store, TimeProvider clock, ILogger<CreatePostHandler> log) : ICommandHandler<CreatePost, PostDto>
{
    public async ValueTask<PostDto> Handle(CreatePost command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var created = Post.Write(Guid.CreateVersion7(), command.AuthorId, command.Content!, clock.GetUtcNow());
        session.Events.StartStream<Post>(created.PostId, created);
        await session.SaveChangesAsync(ct);
        log.LogInformation("post {PostId} created by {AuthorId}", created.PostId, created.AuthorId);
        return PostDto.From(PostView.From(created), []);
    }
}
