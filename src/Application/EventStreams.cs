using EventChat.Domain;
using JasperFx.Events;
using Marten;
using Marten.Services.BatchQuerying;

namespace EventChat.Application;

public static class EventStreams
{
    /// <summary>
    /// An existing aggregate's stream and state, locked against other writers until the session saves, so a
    /// busy stream serialises its writers (each deciding on the state the previous one left) instead of making
    /// them race and retry. A stream that does not exist is <paramref name="what"/> not found.
    /// </summary>
    public static async Task<(IEventStream<T> Stream, T State)> OpenExisting<T>(this IDocumentSession session, Guid id, string what, CancellationToken ct)
        where T : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<T>(id, ct);
        return (stream, stream.Aggregate ?? throw DomainException.NotFound(what));
    }

    /// <summary>
    /// A group commit's locks: begins the session's transaction (or each lock would end with its statement) and
    /// queues on <paramref name="query"/> an exclusive fetch of each stream, in id order so that writers never
    /// deadlock. Reads queued after this run under the locks, all in the query's one round trip.
    /// </summary>
    public static async Task<StreamLocks<T>> QueueLocks<T>(this IDocumentSession session, IBatchedQuery query, IEnumerable<Guid> ids)
        where T : class
    {
        await session.BeginTransactionAsync(CancellationToken.None);
        return new([.. ids.Distinct().Order().Select(id => (id, query.Events.FetchForExclusiveWriting<T>(id)))]);
    }
}

/// <summary>The streams <see cref="EventStreams.QueueLocks{T}"/> queued, there once their query has run.</summary>
public sealed class StreamLocks<T>(IReadOnlyList<(Guid Id, Task<IEventStream<T>> Fetch)> fetches) where T : class
{
    public Guid[] Ids { get; } = [.. fetches.Select(f => f.Id)];

    public async Task<Dictionary<Guid, IEventStream<T>>> Streams()
    {
        var streams = new Dictionary<Guid, IEventStream<T>>();
        foreach (var (id, fetch) in fetches)
            streams[id] = await fetch;
        return streams;
    }
}
