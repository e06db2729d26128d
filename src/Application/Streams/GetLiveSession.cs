using EventChat.Application.Ports;
using Marten;
using Mediator;

namespace EventChat.Application.Streams;

/// <summary>A live session, public to every signed-in user, with its current viewer count.</summary>
public sealed record GetLiveSession(Guid SessionId) : IQuery<LiveSessionDto>;

public sealed class GetLiveSessionHandler(IQuerySession session, IStreamViewers viewers) : IQueryHandler<GetLiveSession, LiveSessionDto>
{
    public async ValueTask<LiveSessionDto> Handle(GetLiveSession query, CancellationToken ct) =>
        LiveSessionDto.From(await session.LoadLiveSession(query.SessionId, ct), await viewers.Count(query.SessionId));
}
