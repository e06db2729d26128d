namespace EventChat.Application.Ports;

/// <summary>
/// Pushes events to connected clients. A push is a convenience, never the only copy:
/// everything pushed can be fetched again, so an adapter may drop a push for a user who is offline.
/// </summary>
public interface INotifier
{
    Task ToUser(Guid userId, string eventName, object payload, CancellationToken ct);
}
