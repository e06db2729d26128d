namespace EventChat.Application.Ports;

/// <summary>
/// Who is watching which live session, counted in users (a viewer with two tabs counts once). Ephemeral like
/// presence: one node keeps it in memory, several share it in Redis (docs/operations.md), so every node
/// reports the same count and lets a viewer chat from any of their connections.
/// </summary>
public interface IStreamViewers
{
    /// <summary>The connection starts watching; answers the session's viewer count afterwards.</summary>
    ValueTask<int> Join(Guid sessionId, Guid userId, string connectionId);

    /// <summary>The count after the connection left, or null when it was not watching (nothing changed).</summary>
    ValueTask<int?> Leave(Guid sessionId, Guid userId, string connectionId);

    /// <summary>A closed connection leaves every session it watched; returns those sessions.</summary>
    ValueTask<IReadOnlyList<Guid>> Disconnected(Guid userId, string connectionId);

    ValueTask<bool> IsWatching(Guid sessionId, Guid userId);

    ValueTask<int> Count(Guid sessionId);

    /// <summary>Forgets an ended session's viewers.</summary>
    ValueTask Forget(Guid sessionId);
}
