using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Domain.Streams;
using EventChat.Projections;
using FluentValidation;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>A viewer's chat message in a live session, pushed once to the whole room.</summary>
public sealed record PostStreamChat(Guid SenderId, Guid SessionId, string? Content) : ICommand<StreamChat>, IRateLimited
{
    /// <summary>The post's place in its caller's line, when the caller pipelines its posts (a hub connection).</summary>
    public CallerTurn? Turn { get; init; }

    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => SenderId;
}

public sealed class PostStreamChatValidator : AbstractValidator<PostStreamChat>
{
    public PostStreamChatValidator()
    {
        RuleFor(c => c.SessionId).NotEmpty();
        RuleFor(c => c.Content).NotEmpty().WithMessage("Content must not be empty.").MaximumLength(LiveSession.MaxMessageLength);
    }
}

public sealed class PostStreamChatHandler(StreamChatGroupCommit groupCommit, INotifier notifier, ILogger<PostStreamChatHandler> log)
    : ICommandHandler<PostStreamChat, StreamChat>
{
    public async ValueTask<StreamChat> Handle(PostStreamChat command, CancellationToken ct)
    {
        var posted = await groupCommit.Post(command, ct);
        log.LogInformation("stream chat in {SessionId} by {SenderId} at sequence {Sequence}", posted.SessionId, posted.SenderId, posted.Sequence);
        var chat = new StreamChat(posted.SessionId, StreamMessageView.From(posted));
        // Committed: from here on the sender hanging up must not cancel the room's push.
        await notifier.ToGroup(RealtimeGroups.Stream(posted.SessionId), ClientEvents.StreamChat, chat, CancellationToken.None);
        return chat;
    }
}
