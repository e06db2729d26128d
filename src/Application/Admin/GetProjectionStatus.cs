using EventChat.Application.Telemetry;
using Marten;
using Mediator;

namespace EventChat.Application.Admin;

/// <summary>
/// Where each projection stands: every read model that can be rebuilt and every shard of the async daemon, with its
/// position in the event store, how far it trails the newest event, and the rebuild of it this process is running.
/// </summary>
public sealed record GetProjectionStatus : IQuery<ProjectionStatus>;

/// <summary>Inline: written in the transaction of its events. Async: kept up after the fact by Marten's async daemon.</summary>
public enum ProjectionKind
{
    Inline,
    Async,
}

/// <param name="Name">The projection's name, as <c>POST /api/admin/projections/{name}/rebuild</c> takes it.</param>
/// <param name="Shard">The daemon's shard (<c>DailyActivity:All</c>); null for an inline projection, which has none.</param>
/// <param name="Position">The sequence number of the last event it has applied. An inline projection applies each event as it
/// is committed, so it is always at the newest.</param>
/// <param name="Lag">How many events it trails the newest one.</param>
/// <param name="Rebuildable">False for a subscription (the webhook outbox): it keeps no read model to rebuild.</param>
/// <param name="Rebuild">The rebuild of it that this process is running, null if none.</param>
public sealed record ProjectionState(string Name, ProjectionKind Kind, string? Shard, long Position, long Lag, bool Rebuildable, RunningRebuild? Rebuild);

/// <param name="HighWaterMark">The newest event's sequence number, which positions and lags are measured against.</param>
/// <param name="Projections">The inline projections, then the daemon's shards, each in the order they are registered.</param>
public sealed record ProjectionStatus(long HighWaterMark, IReadOnlyList<ProjectionState> Projections)
{
    public static ProjectionStatus Of(IReadOnlyCollection<string> rebuildable, IEnumerable<string> inline, ProjectionLagReading reading,
        IReadOnlyDictionary<string, RunningRebuild> running)
    {
        ProjectionState State(string name, ProjectionKind kind, string? shard, long position, long lag) =>
            new(name, kind, shard, position, lag, rebuildable.Contains(name), running.GetValueOrDefault(name));
        return new(reading.Head,
        [
            .. inline.Select(name => State(name, ProjectionKind.Inline, null, reading.Head, 0)),
            .. reading.Shards.Select(shard => State(shard.Projection, ProjectionKind.Async, shard.Shard, shard.Position, shard.Behind)),
        ]);
    }
}

public sealed class GetProjectionStatusHandler(IDocumentStore store, ProjectionLag lag, RunningRebuilds rebuilds)
    : IQueryHandler<GetProjectionStatus, ProjectionStatus>
{
    public async ValueTask<ProjectionStatus> Handle(GetProjectionStatus query, CancellationToken ct) =>
        ProjectionStatus.Of(store.ProjectionNames(), store.InlineProjectionNames(), await lag.Measure(ct), rebuilds.Now());
}
