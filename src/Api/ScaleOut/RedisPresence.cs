using EventChat.Api.Hubs;
using EventChat.Application.Ports;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// Presence shared by every node. <c>eventchat:presence:{userId}</c> is a hash of the user's connection ids (value:
/// the node holding it), so a user is online while any node holds one of their connections; the first and last are
/// decided atomically by a script. Each node also lists its own connections (<c>node:{id}:connections</c>), so when
/// it dies another node can forget exactly those. This node's own connections are kept in memory too: that is the
/// truth the heartbeat re-writes into Redis after an outage, and what answers while Redis is unreachable.
/// </summary>
public sealed class RedisPresence(IConnectionMultiplexer redis, ClusterNode node, ILogger<RedisPresence> log) : IPresence
{
    private const string ConnectScript = """
        local added = redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('SADD', KEYS[2], ARGV[3])
        if added == 1 and redis.call('HLEN', KEYS[1]) == 1 then return 1 end
        return 0
        """;

    private const string DisconnectScript = """
        redis.call('SREM', KEYS[2], ARGV[2])
        if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 and redis.call('HLEN', KEYS[1]) == 0 then return 1 end
        return 0
        """;

    private readonly InMemoryPresence _local = new();

    private IDatabase Db => redis.GetDatabase();

    public int ConnectedUsers => _local.ConnectedUsers;

    public async ValueTask<bool> Connected(Guid userId, string connectionId)
    {
        var firstHere = await _local.Connected(userId, connectionId);
        return await OrLocal(() => Add(node.Id, userId, connectionId), firstHere, "connect");
    }

    public async ValueTask<bool> Disconnected(Guid userId, string connectionId)
    {
        var lastHere = await _local.Disconnected(userId, connectionId);
        return await OrLocal(() => Remove(node.Id, userId, connectionId), lastHere, "disconnect");
    }

    public async ValueTask<IReadOnlyList<Guid>> Online(IEnumerable<Guid> userIds)
    {
        Guid[] ids = [.. userIds.Distinct()];
        return await OrLocal(async () =>
        {
            var exists = await Task.WhenAll(ids.Select(id => Db.KeyExistsAsync(Key(id))));
            return (IReadOnlyList<Guid>)[.. ids.Where((_, i) => exists[i])];
        }, await _local.Online(ids), "online");
    }

    public async ValueTask<IReadOnlyList<string>> ConnectionsOf(Guid userId) =>
        await OrLocal(async () => (IReadOnlyList<string>)[.. (await Db.HashKeysAsync(Key(userId))).Select(k => k.ToString())],
            await _local.ConnectionsOf(userId), "connections");

    /// <summary>
    /// Makes Redis hold exactly this node's connections (after Redis lost them, or missed a disconnect while down);
    /// answers the users whose presence changed, and how.
    /// </summary>
    public async Task<IReadOnlyList<(Guid UserId, bool Online)>> Reconcile()
    {
        // Redis first, then memory: a change in flight meanwhile is then seen as missing or stale and finished here,
        // and its script and this one agree on who saw it first. The other order could undo a change just made.
        var stored = (await Db.SetMembersAsync(ClusterNode.ConnectionsKey(node.Id))).Select(m => m.ToString()).ToHashSet();
        var local = _local.All().ToDictionary(Member, c => c);
        var changes = new List<(Guid, bool)>();
        foreach (var member in stored.Where(m => !local.ContainsKey(m)))
            if (TryParse(member, out var userId, out var connectionId) && await Remove(node.Id, userId, connectionId))
                changes.Add((userId, false));
        foreach (var (member, (userId, connectionId)) in local.Where(l => !stored.Contains(l.Key)))
            if (await Add(node.Id, userId, connectionId))
                changes.Add((userId, true));
        return changes;
    }

    /// <summary>Forgets every connection of a dead node; answers those connections and whether each was its user's last.</summary>
    public async Task<IReadOnlyList<(Guid UserId, string ConnectionId, bool WentOffline)>> ForgetNode(string deadNodeId)
    {
        var forgotten = new List<(Guid, string, bool)>();
        foreach (var member in await Db.SetMembersAsync(ClusterNode.ConnectionsKey(deadNodeId)))
            if (TryParse(member.ToString(), out var userId, out var connectionId))
                forgotten.Add((userId, connectionId, await Remove(deadNodeId, userId, connectionId)));
        await Db.KeyDeleteAsync(ClusterNode.ConnectionsKey(deadNodeId));
        return forgotten;
    }

    private async Task<bool> Add(string nodeId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(ConnectScript, [Key(userId), ClusterNode.ConnectionsKey(nodeId)], [connectionId, nodeId, Member((userId, connectionId))]) == 1;

    private async Task<bool> Remove(string nodeId, Guid userId, string connectionId) =>
        (int)await Db.ScriptEvaluateAsync(DisconnectScript, [Key(userId), ClusterNode.ConnectionsKey(nodeId)], [connectionId, Member((userId, connectionId))]) == 1;

    private Task<T> OrLocal<T>(Func<Task<T>> shared, T local, string what) => RedisScaleOut.OrLocal(shared, local, log, $"presence ({what})");

    private static RedisKey Key(Guid userId) => $"{ClusterNode.KeyPrefix}:presence:{userId:N}";

    private static string Member((Guid UserId, string ConnectionId) c) => $"{c.UserId:N}|{c.ConnectionId}";

    private static bool TryParse(string member, out Guid userId, out string connectionId)
    {
        var parts = member.Split('|', 2);
        connectionId = parts.Length == 2 ? parts[1] : "";
        return Guid.TryParse(parts[0], out userId) && parts.Length == 2;
    }
}
