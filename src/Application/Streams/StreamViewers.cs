namespace EventChat.Application.Streams;

/// <summary>
/// Who is watching which live session, counted in users (a viewer with two tabs counts once). Ephemeral
/// like presence: kept in memory on this node, rebuilt as clients re-join after a restart.
/// </summary>
public sealed class StreamViewers
{
    private readonly Dictionary<Guid, Dictionary<Guid, HashSet<string>>> _sessions = [];
    private readonly Lock _lock = new();

    public int Join(Guid sessionId, Guid userId, string connectionId)
    {
        lock (_lock)
        {
            if (!_sessions.TryGetValue(sessionId, out var viewers))
                _sessions[sessionId] = viewers = [];
            if (!viewers.TryGetValue(userId, out var connections))
                viewers[userId] = connections = [];
            connections.Add(connectionId);
            return viewers.Count;
        }
    }

    /// <summary>The count after the connection left, or null when it was not watching (nothing changed).</summary>
    public int? Leave(Guid sessionId, Guid userId, string connectionId)
    {
        lock (_lock)
        {
            var watching = _sessions.TryGetValue(sessionId, out var viewers) && viewers.TryGetValue(userId, out var c) && c.Contains(connectionId);
            return watching ? LeaveLocked(sessionId, userId, connectionId) : null;
        }
    }

    /// <summary>A closed connection leaves every session it watched; returns those sessions.</summary>
    public IReadOnlyList<Guid> Disconnected(Guid userId, string connectionId)
    {
        lock (_lock)
        {
            var watched = _sessions.Where(s => s.Value.TryGetValue(userId, out var c) && c.Contains(connectionId)).Select(s => s.Key).ToList();
            foreach (var sessionId in watched)
                LeaveLocked(sessionId, userId, connectionId);
            return watched;
        }
    }

    public bool IsWatching(Guid sessionId, Guid userId)
    {
        lock (_lock)
            return _sessions.TryGetValue(sessionId, out var viewers) && viewers.ContainsKey(userId);
    }

    public int Count(Guid sessionId)
    {
        lock (_lock)
            return _sessions.TryGetValue(sessionId, out var viewers) ? viewers.Count : 0;
    }

    /// <summary>Forgets an ended session's viewers.</summary>
    public void Forget(Guid sessionId)
    {
        lock (_lock)
            _sessions.Remove(sessionId);
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
