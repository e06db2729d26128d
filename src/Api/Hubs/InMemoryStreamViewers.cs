using EventChat.Application.Ports;

namespace EventChat.Api.Hubs;

/// <summary>
/// The viewers of one node, in memory: the whole truth on a single node, and each node's own share (the
/// connections it holds) under the Redis adapter, which reconciles Redis with it.
/// </summary>
public sealed class InMemoryStreamViewers : IStreamViewers
{
    private readonly Dictionary<Guid, Dictionary<Guid, HashSet<string>>> _sessions = [];
    private readonly Lock _lock = new();

    public ValueTask<int> Join(Guid sessionId, Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(sessionId, out var viewers))
                _sessions[sessionId] = viewers = [];
            if (!viewers.TryGetValue(userId, out var connections))
                viewers[userId] = connections = [];
            connections.Add(connectionId);
            return ValueTask.FromResult(viewers.Count);
        }
    }

    public ValueTask<int?> Leave(Guid sessionId, Guid userId, string connectionId)
    {
        lock (_lock)
        {
            var watching = _sessions.TryGetValue(sessionId, out var viewers) && viewers.TryGetValue(userId, out var c) && c.Contains(connectionId);
            return ValueTask.FromResult(watching ? LeaveLocked(sessionId, userId, connectionId) : (int?)null);
        }
    }

    public ValueTask<IReadOnlyList<Guid>> Disconnected(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            var watched = _sessions.Where(s => s.Value.TryGetValue(userId, out var c) && c.Contains(connectionId)).Select(s => s.Key).ToList();
            foreach (var sessionId in watched)
                LeaveLocked(sessionId, userId, connectionId);
            return ValueTask.FromResult<IReadOnlyList<Guid>>(watched);
        }
    }

    public ValueTask<bool> IsWatching(Guid sessionId, Guid userId)
    {
        lock (_lock)
            return ValueTask.FromResult(_sessions.TryGetValue(sessionId, out var viewers) && viewers.ContainsKey(userId));
    }

    public ValueTask<int> Count(Guid sessionId)
    {
        lock (_lock)
            return ValueTask.FromResult(_sessions.TryGetValue(sessionId, out var viewers) ? viewers.Count : 0);
    }

    public ValueTask Forget(Guid sessionId)
    {
        lock (_lock)
            _sessions.Remove(sessionId);
        return ValueTask.CompletedTask;
    }

    /// <summary>Every (session, user, connection) this instance holds, for reconciling a shared copy with it.</summary>
    public IReadOnlyList<(Guid SessionId, Guid UserId, string ConnectionId)> All()
    {
        lock (_lock)
            return [.. _sessions.SelectMany(s => s.Value.SelectMany(v => v.Value.Select(c => (s.Key, v.Key, c))))];
    }

    private int LeaveLocked(Guid sessionId, Guid userId, string connectionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var viewers))
            return 0;
        if (viewers.TryGetValue(userId, out var connections) && connections.Remove(connectionId) && connections.Count == 0)
            viewers.Remove(userId);
        if (viewers.Count == 0)
            _sessions.Remove(sessionId);
        return viewers.Count;
    }
}
