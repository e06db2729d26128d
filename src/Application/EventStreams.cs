using EventChat.Domain;
using JasperFx.Events;
using Marten;

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
}
