using EventChat.Application.Ports;
using Marten;
using Mediator;

namespace EventChat.Application.Realtime;

/// <summary>Tells a user's contacts that their first connection opened, or their last one closed.</summary>
public sealed record AnnouncePresence(Guid UserId, bool Online) : ICommand;

/// <summary>The <c>userOnline</c>/<c>userOffline</c> payload.</summary>
public sealed record PresenceChanged(Guid UserId, DateTimeOffset Timestamp);

public sealed class AnnouncePresenceHandler(IQuerySession session, INotifier notifier, TimeProvider clock) : ICommandHandler<AnnouncePresence>
{
    public async ValueTask<Unit> Handle(AnnouncePresence command, CancellationToken ct)
    {
        var change = new PresenceChanged(command.UserId, clock.GetUtcNow());
        var eventName = command.Online ? ClientEvents.UserOnline : ClientEvents.UserOffline;
        foreach (var contact in await session.ContactsOf(command.UserId, ct))
            await notifier.ToUser(contact, eventName, change, ct);
        return Unit.Value;
    }
}
