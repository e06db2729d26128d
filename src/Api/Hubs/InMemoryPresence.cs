using EventChat.Application.Ports;

namespace EventChat.Api.Hubs;

/// <summary>
/// Presence for a single node: each user's open connection ids, in memory. One lock is enough:
/// connects and disconnects are rare next to messages, and it keeps first/last detection exact.
/// </summary>
public sealed class InMemoryPresence : IPresence
{
    private readonly Dictionary<Guid, HashSet<string>> _connections = [];
    private readonly Lock _lock = new();

    public ValueTask<bool> Connected(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(userId, out var connections))
                _connections[userId] = connections = [];
            return ValueTask.FromResult(connections.Add(connectionId) && connections.Count == 1);
        }
    }

    public ValueTask<bool> Disconnected(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_connections.TryGetValue(userId, out var connections) || !connections.Remove(connectionId) || connections.Count > 0)
                return ValueTask.FromResult(false);
            _connections.Remove(userId);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<IReadOnlyList<Guid>> Online(IEnumerable<Guid> userIds)
    {
        lock (_lock)
            return ValueTask.FromResult<IReadOnlyList<Guid>>([.. userIds.Distinct().Where(_connections.ContainsKey)]);
    }

    public int ConnectedUsers
    {
        get
        {
            lock (_lock)
                return _connections.Count;
        }
    }

    /// <summary>Every (user, connection) held here, for reconciling a shared copy with this node's truth.</summary>
    public IReadOnlyList<(Guid UserId, string ConnectionId)> All()
    {
        lock (_lock)
            return [.. _connections.SelectMany(user => user.Value.Select(connectionId => (user.Key, connectionId)))];
    }

    public ValueTask<IReadOnlyList<string>> ConnectionsOf(Guid userId)
    {
        lock (_lock)
            return ValueTask.FromResult<IReadOnlyList<string>>(_connections.TryGetValue(userId, out var connections) ? [.. connections] : []);
    }
}
