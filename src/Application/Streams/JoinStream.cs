using EventChat.Application.Ports;
using EventChat.Domain;
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

public sealed class JoinStreamHandler(IQuerySession session, INotifier notifier, StreamViewers viewers) : ICommandHandler<JoinStream, JoinedStream>
{
    public async ValueTask<JoinedStream> Handle(JoinStream command, CancellationToken ct)
    {
        if (!(await session.LoadLiveSession(command.SessionId, ct)).IsLive)
            throw new DomainException(DomainError.Conflict, "This live session has ended.");
        var recent = await session.Query<StreamMessageView>()
            .Where(m => m.SessionId == command.SessionId && m.RemovedAt == null)
            .OrderByDescending(m => m.Sequence).Take(JoinedStream.RecentMessageCount).ToListAsync(ct);
        await notifier.JoinGroup(command.ConnectionId, RealtimeGroups.Stream(command.SessionId), ct);
        var count = new StreamViewerCount(command.SessionId, viewers.Join(command.SessionId, command.UserId, command.ConnectionId));
        await notifier.ToGroup(RealtimeGroups.Stream(command.SessionId), ClientEvents.StreamViewers, count, CancellationToken.None);
        return new(command.SessionId, count.ViewerCount, [.. recent.Reverse()]);
    }
}
