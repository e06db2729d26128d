using EventChat.Application.Ports;
using EventChat.Domain.Streams;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>A viewer's chat message in a live session, pushed once to the whole room.</summary>
public sealed record PostStreamChat(Guid SenderId, Guid SessionId, string? Content) : ICommand<StreamChat>, IRateLimited
{
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

public sealed class PostStreamChatHandler(IDocumentStore store, INotifier notifier, IStreamViewers viewers, TimeProvider clock, ILogger<PostStreamChatHandler> log)
    : ICommandHandler<PostStreamChat, StreamChat>
{
    public async ValueTask<StreamChat> Handle(PostStreamChat command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, live) = await session.OpenLiveSession(command.SessionId, ct);
        var posted = live.Post(Guid.CreateVersion7(), command.SenderId, command.Content!, await viewers.IsWatching(live.Id, command.SenderId), clock.GetUtcNow());
        stream.AppendOne(posted);
        await session.SaveChangesAsync(ct);
        log.LogInformation("stream chat in {SessionId} by {SenderId} at sequence {Sequence}", posted.SessionId, posted.SenderId, posted.Sequence);
        var chat = new StreamChat(posted.SessionId, StreamMessageView.From(posted));
        await notifier.ToGroup(RealtimeGroups.Stream(posted.SessionId), ClientEvents.StreamChat, chat, CancellationToken.None);
        return chat;
    }
}
