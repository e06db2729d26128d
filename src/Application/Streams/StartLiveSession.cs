using EventChat.Domain.Streams;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>Starts a live session hosted by the caller.</summary>
public sealed record StartLiveSession(Guid HostId, string? Title) : ICommand<LiveSessionDto>;

public sealed class StartLiveSessionValidator : AbstractValidator<StartLiveSession>
{
    public StartLiveSessionValidator() => RuleFor(c => c.Title).NotEmpty().MaximumLength(LiveSession.MaxTitleLength);
}

public sealed class StartLiveSessionHandler(IDocumentStore store, TimeProvider clock, ILogger<StartLiveSessionHandler> log)
    : ICommandHandler<StartLiveSession, LiveSessionDto>
{
    public async ValueTask<LiveSessionDto> Handle(StartLiveSession command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var started = LiveSession.Start(Guid.CreateVersion7(), command.HostId, command.Title!, clock.GetUtcNow());
        session.Events.StartStream<LiveSession>(started.SessionId, started);
        await session.SaveChangesAsync(ct);
        log.LogInformation("live session {SessionId} started by {HostId}", started.SessionId, started.HostId);
        return LiveSessionDto.From(await session.LoadLiveSession(started.SessionId, ct), viewerCount: 0);
    }
}
