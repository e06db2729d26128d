using EventChat.Api.Hubs;
using EventChat.Application.Ports;
using StackExchange.Redis;

namespace EventChat.Api.ScaleOut;

/// <summary>
/// One token bucket per user and policy for all nodes together (<c>eventchat:ratelimit:{policy}:{userId}</c>), so a
/// user with connections on several nodes has one budget, not one per node. A script refills and spends in one step
/// on Redis's clock, so nodes' clocks do not matter. While Redis is unreachable the node's own buckets decide.
/// </summary>
/// <remarks>A loopback-or-LAN round trip per rate-limited command, awaited, so no thread waits on it.</remarks>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, HubLimits limits, UserRateLimiter local, ILogger<RedisRateLimiter> log) : IRateLimiter
{
    private const string SpendScript = """
        local burst = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(bucket[1]) or burst
        local at = tonumber(bucket[2]) or now
        tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
        local granted = 0
        if tokens >= 1 then
          tokens = tokens - 1
          granted = 1
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
        redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
        return granted
        """;

    public TimeSpan Refill(RateLimitPolicy policy) => limits.Budget(policy).Refill;

    public async ValueTask<bool> TryAcquire(RateLimitPolicy policy, Guid userId)
    {
        var budget = limits.Budget(policy);
        try
        {
            return (int)await redis.GetDatabase().ScriptEvaluateAsync(SpendScript, [$"{ClusterNode.KeyPrefix}:ratelimit:{policy}:{userId:N}"],
                [budget.Burst, budget.PermitsPerSecond]) == 1;
        }
        catch (Exception e) when (RedisScaleOut.IsOutage(e))
        {
            log.LogWarning("Redis unreachable for rate limits; this node's own budgets decide until it is back: {Error}", e.Message);
            return await local.TryAcquire(policy, userId);
        }
    }
}
