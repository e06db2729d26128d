using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using Mediator;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// Every <see cref="RedisScaleOutSettings.Heartbeat"/>: proves this node alive (a key that expires after
/// <see cref="RedisScaleOutSettings.NodeTimeout"/>), re-writes this node's connections and viewers into Redis if it
/// lost or missed any (Redis restarted, a disconnect during an outage), and sweeps nodes whose key expired: their
/// connections leave presence and live sessions, with one <c>userOffline</c> and one count push each, as if they had
/// closed. One sweeper per dead node is chosen by <c>SET NX</c>.
/// </summary>
public sealed class NodeHeartbeat(
    IConnectionMultiplexer redis, ClusterNode node, RedisPresence presence, RedisStreamViewers viewers, ViewerCountPushes counts,
    IServiceScopeFactory scopes, ILogger<NodeHeartbeat> log) : BackgroundService
{
    private IDatabase Db => redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(node.Settings.Heartbeat);
        do
        {
            try
            {
                await Beat();
            }
            catch (Exception e) when (RedisScaleOut.IsOutage(e))
            {
                log.LogWarning("node heartbeat could not reach Redis: {Error}", e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "node heartbeat failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task Beat()
    {
        // Alive before listed, so no other node ever sees this one listed but silent.
        await Db.StringSetAsync(ClusterNode.AliveKey(node.Id), DateTimeOffset.UtcNow.ToString("O"), node.Settings.NodeTimeout);
        await Db.SetAddAsync(ClusterNode.NodesKey, node.Id);
        foreach (var (userId, online) in await presence.Reconcile())
            await Announce(userId, online);
        foreach (var sessionId in await viewers.Reconcile())
            counts.Changed(sessionId);
        foreach (var other in await Db.SetMembersAsync(ClusterNode.NodesKey))
            if (other.ToString() is var nodeId && nodeId != node.Id && !await Db.KeyExistsAsync(ClusterNode.AliveKey(nodeId)))
                await Sweep(nodeId);
    }

    private async Task Sweep(string deadNodeId)
    {
        if (!await Db.StringSetAsync(ClusterNode.SweeperKey(deadNodeId), node.Id, node.Settings.NodeTimeout * 2, When.NotExists))
            return;
        log.LogWarning("node {DeadNode} stopped its heartbeat; removing its connections from presence and live sessions", deadNodeId);
        foreach (var sessionId in await viewers.ForgetNode(deadNodeId))
            counts.Changed(sessionId);
        foreach (var (userId, _, wentOffline) in await presence.ForgetNode(deadNodeId))
            if (wentOffline)
                await Announce(userId, online: false);
        await Db.SetRemoveAsync(ClusterNode.NodesKey, deadNodeId);
    }

    private async Task Announce(Guid userId, bool online)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new AnnouncePresence(userId, online));
    }
}
