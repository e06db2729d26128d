using EventChat.Domain;
using EventChat.Application.Ports;
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
    private readonly GroupCommit<PendingPost, StreamMessagePosted> writers;

    public StreamChatGroupCommit(IDocumentStore store, IStreamViewers viewers, TimeProvider clock, ILogger<StreamChatGroupCommit> log)
    {
        (this.store, this.viewers, this.clock) = (store, viewers, clock);
        writers = new(writers: 2, Commit, log);
    }

    /// <summary>Queues the post and waits for its transaction. Whether the sender watches is asked first, so no writer waits on it.</summary>
    public async Task<StreamMessagePosted> Post(PostStreamChat command, CancellationToken ct) =>
        await writers.Commit(new PendingPost(command, await viewers.IsWatching(command.SessionId, command.SenderId)), ct);

    private async Task Commit(IReadOnlyList<PendingPost> batch)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var decided = new List<(PendingPost Pending, StreamMessagePosted Posted)>(batch.Count);
        foreach (var sessionPosts in batch.GroupBy(p => p.StreamId).OrderBy(g => g.Key))
        {
            var opened = await Open(session, sessionPosts.Key, sessionPosts);
            if (opened is not var (stream, live))
                continue;
            foreach (var pending in sessionPosts)
            {
                try
                {
                    var posted = live.Post(Guid.CreateVersion7(), pending.Command.SenderId, pending.Command.Content!, pending.IsWatching, now);
                    stream.AppendOne(posted);
                    live = live.Apply(posted);
                    decided.Add((pending, posted));
                }
                catch (DomainException e)
                {
                    pending.Outcome.TrySetException(e);
                }
            }
        }
        await session.SaveChangesAsync(CancellationToken.None);
        foreach (var (pending, posted) in decided)
            pending.Outcome.TrySetResult(posted);
    }

    // A session that does not exist fails its posts alone.
    private static async Task<(IEventStream<LiveSession> Stream, LiveSession State)?> Open(IDocumentSession session, Guid sessionId, IEnumerable<PendingPost> posts)
    {
        try
        {
            return await session.OpenLiveSession(sessionId, CancellationToken.None);
        }
        catch (DomainException e)
        {
            foreach (var pending in posts)
                pending.Outcome.TrySetException(e);
            return null;
        }
    }

    public ValueTask DisposeAsync() => writers.DisposeAsync();

    private sealed class PendingPost(PostStreamChat command, bool isWatching) : PendingCommit<StreamMessagePosted>(command.SessionId)
    {
        public PostStreamChat Command { get; } = command;

        public bool IsWatching { get; } = isWatching;
    }
}
