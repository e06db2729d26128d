using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>Ends a live session (its host or a moderator); its room hears <c>stream-ended</c>.</summary>
public sealed record EndLiveSession(Guid ActorId, bool ActorModerates, Guid SessionId) : ICommand<LiveSessionDto>;

public sealed class EndLiveSessionValidator : AbstractValidator<EndLiveSession>
{
    public EndLiveSessionValidator() => RuleFor(c => c.SessionId).NotEmpty();
}

public sealed class EndLiveSessionHandler(IDocumentStore store, INotifier notifier, IStreamViewers viewers, ViewerCountPushes counts, TimeProvider clock, ILogger<EndLiveSessionHandler> log)
    : ICommandHandler<EndLiveSession, LiveSessionDto>
{
    public async ValueTask<LiveSessionDto> Handle(EndLiveSession command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, live) = await session.OpenLiveSession(command.SessionId, ct);
        if (live.End(command.ActorId, command.ActorModerates, clock.GetUtcNow()) is { } ended)
        {
            stream.AppendOne(ended);
            await session.SaveChangesAsync(ct);
            log.LogInformation("live session {SessionId} ended by {ActorId}", ended.SessionId, ended.EndedBy);
            await viewers.Forget(ended.SessionId);
            counts.Forget(ended.SessionId);
            await notifier.ToGroup(RealtimeGroups.Stream(ended.SessionId), ClientEvents.StreamEnded, new StreamEnded(ended.SessionId), CancellationToken.None);
        }
        return LiveSessionDto.From(await session.LoadLiveSession(command.SessionId, ct), viewerCount: 0);
    }
}
