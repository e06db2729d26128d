using EventChat.Application.Ports;
using FluentValidation;
using Mediator;

namespace EventChat.Application.Streams;

/// <summary>One connection stops watching; leaving a session one is not watching is a harmless no-op.</summary>
public sealed record LeaveStream(Guid UserId, Guid SessionId, string ConnectionId) : ICommand<StreamViewerCount>;

public sealed class LeaveStreamValidator : AbstractValidator<LeaveStream>
{
    public LeaveStreamValidator() => RuleFor(c => c.SessionId).NotEmpty();
}

public sealed class LeaveStreamHandler(INotifier notifier, IStreamViewers viewers, ViewerCountPushes counts) : ICommandHandler<LeaveStream, StreamViewerCount>
{
    public async ValueTask<StreamViewerCount> Handle(LeaveStream command, CancellationToken ct)
    {
        await notifier.LeaveGroup(command.ConnectionId, RealtimeGroups.Stream(command.SessionId), ct);
        if (await viewers.Leave(command.SessionId, command.UserId, command.ConnectionId) is not { } left)
            return new(command.SessionId, await viewers.Count(command.SessionId));
        counts.Changed(command.SessionId);
        return new(command.SessionId, left);
    }
}

/// <summary>A closed connection stops watching everything it watched; each of those rooms hears its new count.</summary>
public sealed record StreamConnectionClosed(Guid UserId, string ConnectionId) : ICommand;

public sealed class StreamConnectionClosedHandler(IStreamViewers viewers, ViewerCountPushes counts) : ICommandHandler<StreamConnectionClosed>
{
    public async ValueTask<Unit> Handle(StreamConnectionClosed command, CancellationToken ct)
    {
        foreach (var sessionId in await viewers.Disconnected(command.UserId, command.ConnectionId))
            counts.Changed(sessionId);
        return Unit.Value;
    }
}
