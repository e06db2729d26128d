using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Users;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Streams;

/// <summary>The host or a moderator takes a chat message down; the room hears <c>stream-message-removed</c>.</summary>
public sealed record RemoveStreamMessage(Guid ActorId, bool ActorModerates, Guid SessionId, Guid MessageId) : ICommand;

public sealed class RemoveStreamMessageValidator : AbstractValidator<RemoveStreamMessage>
{
    public RemoveStreamMessageValidator()
    {
        RuleFor(c => c.SessionId).NotEmpty();
        RuleFor(c => c.MessageId).NotEmpty();
    }
}

public sealed class RemoveStreamMessageHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<RemoveStreamMessageHandler> log)
    : ICommandHandler<RemoveStreamMessage>
{
    public async ValueTask<Unit> Handle(RemoveStreamMessage command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, live) = await session.OpenLiveSession(command.SessionId, ct);
        var message = await session.LoadAsync<StreamMessageView>(command.MessageId, ct);
        if (message?.SessionId != live.Id)
            throw DomainException.NotFound("Message");
        if (live.RemoveMessage(command.ActorId, command.ActorModerates, message.Id, message.Sequence, message.RemovedAt is not null, clock.GetUtcNow()) is not { } removed)
            return Unit.Value;
        stream.AppendOne(removed);
        await session.SaveChangesAsync(ct);
        log.LogInformation("stream message {MessageId} in {SessionId} removed by {ActorId}", removed.MessageId, removed.SessionId, removed.RemovedBy);
        await notifier.ToGroup(RealtimeGroups.Stream(live.Id), ClientEvents.StreamMessageRemoved, new StreamMessageTakenDown(live.Id, removed.MessageId), CancellationToken.None);
        return Unit.Value;
    }
}

/// <summary>The host or a moderator bars a user from the session's chat; they may keep watching.</summary>
public sealed record BanFromStream(Guid ActorId, bool ActorModerates, Guid SessionId, Guid UserId) : ICommand;

public sealed class BanFromStreamValidator : AbstractValidator<BanFromStream>
{
    public BanFromStreamValidator()
    {
        RuleFor(c => c.SessionId).NotEmpty();
        RuleFor(c => c.UserId).NotEmpty();
    }
}

public sealed class BanFromStreamHandler(IDocumentStore store, TimeProvider clock, ILogger<BanFromStreamHandler> log) : ICommandHandler<BanFromStream>
{
    public async ValueTask<Unit> Handle(BanFromStream command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, live) = await session.OpenLiveSession(command.SessionId, ct);
        _ = await session.LoadAsync<UserAccount>(command.UserId, ct) ?? throw DomainException.NotFound("User");
        if (live.Ban(command.ActorId, command.ActorModerates, command.UserId, clock.GetUtcNow()) is { } banned)
        {
            stream.AppendOne(banned);
            await session.SaveChangesAsync(ct);
            log.LogInformation("user {UserId} banned from {SessionId} by {ActorId}", banned.UserId, banned.SessionId, banned.BannedBy);
        }
        return Unit.Value;
    }
}
