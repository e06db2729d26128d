using EventChat.Api.Privacy;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// Several nodes: an erasure is published on a Redis channel every node listens to, so each closes the account's
/// connections at once. The erasing node closes its own first, so they close even while Redis is down; a node that
/// missed the message (Redis down, its subscription lost) finds the account within a minute (<see cref="ErasedAccountSweep"/>).
/// </summary>
public sealed class RedisErasureAnnouncer(IConnectionMultiplexer redis, ErasedAccountConnections connections, ILogger<RedisErasureAnnouncer> log)
    : IErasureAnnouncer, IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(ClusterNode.KeyPrefix + ":erasures");

    public async Task Announce(Guid userId)
    {
        await connections.Erased(userId);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, userId.ToString());
        }
        catch (Exception e) when (RedisScaleOut.IsOutage(e))
        {
            log.LogWarning("could not announce the erasure of {UserId} to the other nodes; they close its connections within a minute: {Error}", userId, e.Message);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, (channel, message) =>
            {
                if (Guid.TryParse(message.ToString(), out var userId))
                    _ = connections.Erased(userId);
            });
        }
        catch (Exception e) when (RedisScaleOut.IsOutage(e))
        {
            log.LogWarning("could not listen for erasures on Redis; this node closes erased accounts' connections within a minute instead: {Error}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
