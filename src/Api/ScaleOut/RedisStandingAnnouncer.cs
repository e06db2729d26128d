using EventChat.Api.Privacy;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// Several nodes: an account's change of standing (erased, deactivated, reactivated) is published on a Redis channel every
/// node listens to, so each looks at the account again at once. The changing node looks first, so its own connections
/// close even while Redis is down; a node that missed the message (Redis down, its subscription lost) finds the account
/// within a minute (<see cref="RefusedAccountSweep"/>, <see cref="AccountStandings.RecheckAfter"/>).
/// </summary>
public sealed class RedisStandingAnnouncer(IConnectionMultiplexer redis, RefusedAccountConnections connections, ILogger<RedisStandingAnnouncer> log)
    : IStandingAnnouncer, IHostedService
{
    private static readonly RedisChannel Channel = RedisChannel.Literal(ClusterNode.KeyPrefix + ":standings");

    public async Task Announce(Guid userId)
    {
        await connections.StandingChanged(userId);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, userId.ToString());
        }
        catch (Exception e) when (RedisScaleOut.IsOutage(e))
        {
            log.LogWarning("could not announce the change of standing of {UserId} to the other nodes; they see it within a minute: {Error}", userId, e.Message);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, (channel, message) =>
            {
                if (Guid.TryParse(message.ToString(), out var userId))
                    _ = connections.StandingChanged(userId);
            });
        }
        catch (Exception e) when (RedisScaleOut.IsOutage(e))
        {
            log.LogWarning("could not listen for changes of standing on Redis; this node sees them within a minute instead: {Error}", e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
