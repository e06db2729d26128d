namespace EventChat.Application.Ports;

/// <summary>
/// Who is connected, counted per user across connections (two tabs are one online user). Kept behind
/// a port so a multi-node deployment can share it (see docs/operations.md) while one node keeps it in memory.
/// </summary>
public interface IPresence
{
    /// <summary>Records a connection; true when it is the user's first, i.e. they just came online.</summary>
    ValueTask<bool> Connected(Guid userId, string connectionId);

    /// <summary>Forgets a connection; true when it was the user's last, i.e. they just went offline.</summary>
    ValueTask<bool> Disconnected(Guid userId, string connectionId);

    /// <summary>Those of <paramref name="userIds"/> with at least one connection.</summary>
    ValueTask<IReadOnlyList<Guid>> Online(IEnumerable<Guid> userIds);

    /// <summary>The user's open connections.</summary>
    ValueTask<IReadOnlyList<string>> ConnectionsOf(Guid userId);

    /// <summary>
    /// Users with at least one connection to this node, for the <c>eventchat.users.connected</c> gauge.
    /// Synchronous and cheap, because metric collection calls it on every scrape.
    /// </summary>
    int ConnectedUsers { get; }
}
