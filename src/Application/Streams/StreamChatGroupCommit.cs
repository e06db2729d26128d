using EventChat.Domain;
using EventChat.Application.Ports;
using EventChat.Application.Telemetry;
using EventChat.Domain.Streams;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>
/// Live-session chat through a <see cref="GroupCommit{TPending, TOutcome}"/>. A busy live session is one
/// stream with many senders, so a batch is usually one locked stream and many posts in one transaction.
/// </summary>
public sealed class StreamChatGroupCommit : IAsyncDisposable
{
    private readonly IDocumentStore store;
    private readonly IStreamViewers viewers;
    private readonly TimeProvider clock;
    private readonly EventChatMetrics metrics;
    private readonly GroupCommit<PendingPost, StreamMessagePosted> writers;

    public StreamChatGroupCommit(IDocumentStore store, IStreamViewers viewers, TimeProvider clock, EventChatMetrics metrics, ILogger<StreamChatGroupCommit> log)
    {
        (this.store, this.viewers, this.clock, this.metrics) = (store, viewers, clock, metrics);
        writers = new(writers: 2, Commit, log);
    }

    /// <summary>Queues the post and waits for its transaction. Whether the sender watches is asked first, so no writer waits on it.</summary>
    public async Task<StreamMessagePosted> Post(PostStreamChat command, CancellationToken ct) =>
        await writers.Commit(new PendingPost(command, await viewers.IsWatching(command.SessionId, command.SenderId)), command.Turn, ct);

    private async Task Commit(IReadOnlyList<PendingPost> batch)
    {
        metrics.GroupCommitted("stream_chat", batch.Count);
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        // Locked in one round trip; a session that does not exist fails its posts alone, when they are decided.
        var query = session.CreateBatchQuery();
        var locks = await session.QueueLocks<LiveSession>(query, batch.Select(p => p.StreamId));
        await query.Execute(CancellationToken.None);
        var streams = await locks.Streams();
        var states = streams.ToDictionary(s => s.Key, s => s.Value.Aggregate);
        await GroupCommit<PendingPost, StreamMessagePosted>.DecideEachThenCommit(batch, pending =>
            {
                var live = states[pending.StreamId] ?? throw DomainException.NotFound("Live session");
                var posted = live.Post(Guid.CreateVersion7(), pending.Command.SenderId, pending.Command.Content!, pending.IsWatching, now);
                streams[pending.StreamId].AppendOne(posted);
                states[pending.StreamId] = live.Apply(posted);
                return Task.FromResult(posted);
            },
            () => session.SaveChangesAsync(CancellationToken.None));
    }

    public ValueTask DisposeAsync() => writers.DisposeAsync();

    private sealed class PendingPost(PostStreamChat command, bool isWatching) : PendingCommit<StreamMessagePosted>(command.SessionId)
    {
        public PostStreamChat Command { get; } = command;

        public bool IsWatching { get; } = isWatching;
    }
}
