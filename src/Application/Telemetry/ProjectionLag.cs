using Marten;

namespace EventChat.Application.Telemetry;

/// <summary>How far one asynchronous projection shard is behind the newest event.</summary>
public sealed record ShardLag(string Shard, long Position, long Behind);

/// <summary>The newest event's sequence number and each asynchronous shard's distance from it.</summary>
public sealed record ProjectionLagReading(long Head, IReadOnlyList<ShardLag> Shards)
{
    /// <summary>The slowest shard's distance, 0 when there is no asynchronous shard.</summary>
    public long Max => Shards.Count == 0 ? 0 : Shards.Max(s => s.Behind);
}

/// <summary>
/// Measures how far asynchronous projections (today the analytics ones) trail the event store. Inline projections
/// are written in the same transaction as their events, so they cannot fall behind. For each async shard this
/// compares its progress with the newest event's sequence number (not the daemon's own high-water mark, which
/// stops moving when the daemon does).
/// </summary>
public sealed class ProjectionLag(IDocumentStore store)
{
    private long _last;

    /// <summary>The slowest shard's lag at the last <see cref="Measure"/>, for the <c>eventchat.projection.lag</c> gauge.</summary>
    public long LastMeasured => Interlocked.Read(ref _last);

    public bool HasAsyncProjections => store.Advanced.AllAsyncProjectionShardNames().Count > 0;

    public async Task<ProjectionLagReading> Measure(CancellationToken ct)
    {
        var shards = store.Advanced.AllAsyncProjectionShardNames();
        if (shards.Count == 0)
            return new(0, []);
        await using var session = store.QuerySession();
        var head = (await session.QueryAsync<long>($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events", ct)).Single();
        var progress = (await store.Advanced.AllProjectionProgress(token: ct)).ToDictionary(p => p.ShardName, p => p.Sequence);
        var reading = new ProjectionLagReading(head, [.. shards.Select(shard =>
        {
            var position = progress.GetValueOrDefault(shard.Identity);
            return new ShardLag(shard.Identity, position, Math.Max(0, head - position));
        })]);
        Interlocked.Exchange(ref _last, reading.Max);
        return reading;
    }
}
