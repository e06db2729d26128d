using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Streams;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Streams;

/// <summary>
/// One connection starts watching a live session: it joins <c>stream_{id}</c>, everyone there hears the new
/// viewer count, and the answer carries the most recent chat so the viewer does not open on an empty room.
/// </summary>
public sealed record JoinStream(Guid UserId, Guid SessionId, string ConnectionId) : ICommand<JoinedStream>;

public sealed record JoinedStream(Guid SessionId, int ViewerCount, IReadOnlyList<StreamMessageView> RecentMessages)
{
    public const int RecentMessageCount = 50;
}

public sealed class JoinStreamValidator : AbstractValidator<JoinStream>
{
    public JoinStreamValidator() => RuleFor(c => c.SessionId).NotEmpty();
}

public sealed class JoinStreamHandler(IQuerySession session, IDocumentStore store, INotifier notifier, IStreamViewers viewers, ViewerCountPushes counts, TimeProvider clock)
    : ICommandHandler<JoinStream, JoinedStream>
{
    public async ValueTask<JoinedStream> Handle(JoinStream command, CancellationToken ct)
    {
        if (!(await session.LoadLiveSession(command.SessionId, ct)).IsLive)
            throw new DomainException(DomainError.Conflict, "This live session has ended.");
        var recent = await session.Query<StreamMessageView>()
            .Where(m => m.SessionId == command.SessionId && m.RemovedAt == null)
            .OrderByDescending(m => m.Sequence).Take(JoinedStream.RecentMessageCount).ToListAsync(ct);
        await notifier.JoinGroup(command.ConnectionId, RealtimeGroups.Stream(command.SessionId), ct);
        var count = new StreamViewerCount(command.SessionId, await viewers.Join(command.SessionId, command.UserId, command.ConnectionId));
        counts.Changed(command.SessionId);
        await RecordPeak(command.SessionId, count.ViewerCount);
        return new(command.SessionId, count.ViewerCount, [.. recent.Reverse()]);
    }

    // A new high is recorded as an event so analytics can replay it. The unlocked snapshot read keeps the
    // common join (no new peak) free of a stream lock; the decision is taken again under the lock. The viewer
    // is already in the room and counted, so this runs with CancellationToken.None: the join has happened.
    private async Task RecordPeak(Guid sessionId, int viewerCount)
    {
        var known = await session.LoadAsync<LiveSession>(sessionId, CancellationToken.None);
        if (known is null || viewerCount <= known.PeakViewers)
            return;
        await using var writer = store.LightweightSession();
        var (stream, live) = await writer.OpenLiveSession(sessionId, CancellationToken.None);
        if (live.ReachViewers(viewerCount, clock.GetUtcNow()) is not { } peak)
            return;
        stream.AppendOne(peak);
        await writer.SaveChangesAsync(CancellationToken.None);
    }
}
