using EventChat.Api.Hubs;
using EventChat.Application.Ports;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// Live-session viewers shared by every node. Per session, <c>stream:{id}:connections</c> holds each watching
/// connection as <c>user|connection</c> and <c>stream:{id}:viewers</c> counts connections per user, so the count
/// (users) is <c>HLEN</c> and the same on every node. Scripts change both in one step. Each node lists what its
/// connections watch (<c>node:{id}:viewing</c>) so a dead node's viewers can be removed, and keeps its own share in
/// memory: the truth re-written after a Redis outage and the answer while Redis is unreachable.
/// </summary>
public sealed class RedisStreamViewers(IConnectionMultiplexer redis, ClusterNode node, ILogger<RedisStreamViewers> log) : IStreamViewers
{
    private const string JoinScript = """
        if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[2], 1) end
        redis.call('SADD', KEYS[3], ARGV[3])
        return redis.call('HLEN', KEYS[2])
        """;

    private const string LeaveScript = """
        redis.call('SREM', KEYS[3], ARGV[3])
        if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return -1 end
        if redis.call('HINCRBY', KEYS[2], ARGV[2], -1) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
        return redis.call('HLEN', KEYS[2])
        """;

    private readonly InMemoryStreamViewers _local = new();

    private IDatabase Db => redis.GetDatabase();

    public async ValueTask<int> Join(Guid sessionId, Guid userId, string connectionId)
    {
        var here = await _local.Join(sessionId, userId, connectionId);
        return await OrLocal(() => RunJoin(node.Id, sessionId, userId, connectionId), here, "join");
    }

    public async ValueTask<int?> Leave(Guid sessionId, Guid userId, string connectionId)
    {
        var here = await _local.Leave(sessionId, userId, connectionId);
        return await OrLocal(() => RunLeave(node.Id, sessionId, userId, connectionId), here, "leave");
    }

    public async ValueTask<IReadOnlyList<Guid>> Disconnected(Guid userId, string connectionId)
    {
        var watched = await _local.Disconnected(userId, connectionId);
        foreach (var sessionId in watched)
            await OrLocal(() => RunLeave(node.Id, sessionId, userId, connectionId), null, "leave");
        return watched;
    }

    public async ValueTask<bool> IsWatching(Guid sessionId, Guid userId) =>
        await OrLocal(() => Db.HashExistsAsync(ViewersKey(sessionId), userId.ToString("N")), await _local.IsWatching(sessionId, userId), "watching");

    public async ValueTask<int> Count(Guid sessionId) =>
        await OrLocal(async () => (int)await Db.HashLengthAsync(ViewersKey(sessionId)), await _local.Count(sessionId), "count");

    public async ValueTask Forget(Guid sessionId)
    {
        await _local.Forget(sessionId);
        await OrLocal(() => Db.KeyDeleteAsync([ViewersKey(sessionId), ConnectionsKey(sessionId)]), 0L, "forget");
    }

    /// <summary>Makes Redis hold exactly what this node's connections watch; answers the sessions whose count may have changed.</summary>
    public async Task<IReadOnlyCollection<Guid>> Reconcile()
    {
        // Redis first, then memory: a change in flight meanwhile is then seen as missing or stale and finished here,
        // and its script and this one agree on who saw it first. The other order could undo a change just made.
        var stored = (await Db.SetMembersAsync(ClusterNode.ViewingKey(node.Id))).Select(m => m.ToString()).ToHashSet();
        var local = _local.All().ToDictionary(Member, v => v);
        var changed = new HashSet<Guid>();
        foreach (var member in stored.Where(m => !local.ContainsKey(m)))
            if (TryParse(member, out var v) && await RunLeave(node.Id, v.SessionId, v.UserId, v.ConnectionId) is not null)
                changed.Add(v.SessionId);
        foreach (var (_, v) in local.Where(l => !stored.Contains(l.Key)))
        {
            await RunJoin(node.Id, v.SessionId, v.UserId, v.ConnectionId);
            changed.Add(v.SessionId);
        }
        return changed;
    }

    /// <summary>Removes a dead node's viewers; answers the sessions whose count changed.</summary>
    public async Task<IReadOnlyCollection<Guid>> ForgetNode(string deadNodeId)
    {
        var changed = new HashSet<Guid>();
        foreach (var member in await Db.SetMembersAsync(ClusterNode.ViewingKey(deadNodeId)))
            if (TryParse(member.ToString(), out var v) && await RunLeave(deadNodeId, v.SessionId, v.UserId, v.ConnectionId) is not null)
                changed.Add(v.SessionId);
        await Db.KeyDeleteAsync(ClusterNode.ViewingKey(deadNodeId));
        return changed;
    }

    private async Task<int> RunJoin(string nodeId, Guid sessionId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(JoinScript, [ConnectionsKey(sessionId), ViewersKey(sessionId), ClusterNode.ViewingKey(nodeId)],
            [$"{userId:N}|{connectionId}", userId.ToString("N"), Member((sessionId, userId, connectionId))]);

    private async Task<int?> RunLeave(string nodeId, Guid sessionId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(LeaveScript, [ConnectionsKey(sessionId), ViewersKey(sessionId), ClusterNode.ViewingKey(nodeId)],
            [$"{userId:N}|{connectionId}", userId.ToString("N"), Member((sessionId, userId, connectionId))]) is var left and >= 0 ? left : null;

    private Task<T> OrLocal<T>(Func<Task<T>> shared, T local, string what) => RedisScaleOut.OrLocal(shared, local, log, $"live-session viewers ({what})");

    private static RedisKey ViewersKey(Guid sessionId) => $"{ClusterNode.KeyPrefix}:stream:{sessionId:N}:viewers";

    private static RedisKey ConnectionsKey(Guid sessionId) => $"{ClusterNode.KeyPrefix}:stream:{sessionId:N}:connections";

    private static string Member((Guid SessionId, Guid UserId, string ConnectionId) v) => $"{v.SessionId:N}|{v.UserId:N}|{v.ConnectionId}";

    private static bool TryParse(string member, out (Guid SessionId, Guid UserId, string ConnectionId) viewer)
    {
        var parts = member.Split('|', 3);
        viewer = default;
        if (parts.Length != 3 || !Guid.TryParse(parts[0], out var sessionId) || !Guid.TryParse(parts[1], out var userId))
            return false;
        viewer = (sessionId, userId, parts[2]);
        return true;
    }
}
