using JasperFx.Events.Projections;
using Marten;

namespace EventChat.Application.Telemetry;

/// <summary>How far one asynchronous shard of <paramref name="Projection"/> is behind the newest event.</summary>
public sealed record ShardLag(string Projection, string Shard, long Position, long Behind);

/// <summary>The newest event's sequence number and each asynchronous shard's distance from it.</summary>
public sealed record ProjectionLagReading(long Head, IReadOnlyList<ShardLag> Shards)
{
    /// <summary>The slowest shard's distance, 0 when there is no asynchronous shard.</summary>
    public long Max => Shards.Count == 0 ? 0 : Shards.Max(s => s.Behind);
}

/// <summary>
/// Measures how far the shards of Marten's async daemon (the analytics projections and the webhook outbox) trail the
/// event store. Inline projections are written in the same transaction as their events, so they cannot fall behind.
/// For each async shard this compares its progress with the newest event's sequence number (not the daemon's own
/// high-water mark, which stops moving when the daemon does).
/// </summary>
public sealed class ProjectionLag(IDocumentStore store)
{
    private readonly MartenTables tables = new(store);
    private long _last;

    /// <summary>The slowest shard's lag at the last <see cref="Measure"/>, for the <c>eventchat.projection.lag</c> gauge.</summary>
    public long LastMeasured => Interlocked.Read(ref _last);

    public bool HasAsyncProjections => AsyncShards().Count > 0;

    public async Task<ProjectionLagReading> Measure(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var head = (await session.QueryAsync<long>($"select coalesce(max({MartenTables.SeqId}), 0) from {tables.Events}", ct)).Single();
        var shards = AsyncShards();
        var progress = shards.Count == 0 ? [] : (await store.Advanced.AllProjectionProgress(token: ct)).ToDictionary(p => p.ShardName, p => p.Sequence);
        var reading = new ProjectionLagReading(head, [.. shards.Select(shard =>
        {
            var position = progress.GetValueOrDefault(shard.Identity);
            return new ShardLag(shard.Name, shard.Identity, position, Math.Max(0, head - position));
        })]);
        Interlocked.Exchange(ref _last, reading.Max);
        return reading;
    }

    // Every shard the daemon runs. Advanced.AllAsyncProjectionShardNames() leaves out the subscriptions (the webhook
    // outbox), whose lag is as much an operator's concern: deliveries wait for it.
    private IReadOnlyList<ShardName> AsyncShards() => [.. ((DocumentStore)store).Options.Projections.AllShards().Select(shard => shard.Name)];
}
