using System.Threading.RateLimiting;
using EventChat.Application.Ports;

namespace EventChat.Api.Hubs;

/// <summary>One token bucket per user and policy, on this node (idle buckets are dropped by the limiter).</summary>
public sealed class UserRateLimiter(HubLimits limits) : IRateLimiter, IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _messages = PerUser(limits.MessageBurst, limits.MessagesPerSecond);
    private readonly PartitionedRateLimiter<Guid> _typing = PerUser(limits.TypingBurst, limits.TypingPerSecond);

    public ValueTask<bool> TryAcquire(RateLimitPolicy policy, Guid userId) => ValueTask.FromResult(Acquire(policy, userId));

    private bool Acquire(RateLimitPolicy policy, Guid userId)
    {
        using var lease = (policy == RateLimitPolicy.Typing ? _typing : _messages).AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        _messages.Dispose();
        _typing.Dispose();
    }

    private static PartitionedRateLimiter<Guid> PerUser(int burst, int perSecond) =>
        PartitionedRateLimiter.Create<Guid, Guid>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
