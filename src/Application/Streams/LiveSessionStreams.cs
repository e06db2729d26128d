using EventChat.Domain;
using EventChat.Domain.Streams;
using EventChat.Projections;
using JasperFx.Events;
using Marten;

namespace EventChat.Application.Streams;

/// <summary>Reading and opening live sessions, shared by the live-session use cases.</summary>
public static class LiveSessionStreams
{
    /// <summary>The session's stream and state, locked against other writers until the session saves.</summary>
    public static Task<(IEventStream<LiveSession> Stream, LiveSession State)> OpenLiveSession(
        this IDocumentSession session, Guid sessionId, CancellationToken ct) =>
        session.OpenExisting<LiveSession>(sessionId, "Live session", ct);

    public static async Task<LiveSessionView> LoadLiveSession(this IQuerySession session, Guid sessionId, CancellationToken ct) =>
        await session.LoadAsync<LiveSessionView>(sessionId, ct) ?? throw DomainException.NotFound("Live session");
}
