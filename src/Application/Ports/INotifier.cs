namespace EventChat.Application.Ports;

/// <summary>
/// Pushes events to connected clients. A push is a convenience, never the only copy:
/// everything pushed can be fetched again, so an adapter may drop a push for a user who is offline.
/// </summary>
public interface INotifier
{
    /// <summary>Every connection of the user.</summary>
    Task ToUser(Guid userId, string eventName, object payload, CancellationToken ct);

    /// <summary>Every connection in a group (see <see cref="RealtimeGroups"/>), pushed once for the whole group.</summary>
    Task ToGroup(string group, string eventName, object payload, CancellationToken ct);

    /// <summary>Adds one connection to a group, so group pushes reach it.</summary>
    Task JoinGroup(string connectionId, string group, CancellationToken ct);

    /// <summary>Takes one connection out of a group.</summary>
    Task LeaveGroup(string connectionId, string group, CancellationToken ct);

    /// <summary>The connections that joined the conversation's room (<c>conversation_{id}</c>), less every connection of <paramref name="exceptUserId"/>.</summary>
    Task ToRoom(Guid conversationId, string eventName, object payload, Guid exceptUserId, CancellationToken ct);

    /// <summary>Takes every connection of the user out of the conversation's room, e.g. once they are removed from it.</summary>
    Task LeaveRoom(Guid userId, Guid conversationId, CancellationToken ct);
}
