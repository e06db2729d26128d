using System.Threading.RateLimiting;
using EventChat.Application.Ports;

namespace EventChat.Api.Hubs;

/// <summary>One token bucket per user and policy, on this node (idle buckets are dropped by the limiter).</summary>
public sealed class UserRateLimiter(HubLimits limits) : IRateLimiter, IDisposable
{
    private readonly Dictionary<RateLimitPolicy, PartitionedRateLimiter<Guid>> _budgets =
        Enum.GetValues<RateLimitPolicy>().ToDictionary(policy => policy, policy => PerUser(limits.Budget(policy)));

    public ValueTask<bool> TryAcquire(RateLimitPolicy policy, Guid userId) => ValueTask.FromResult(Acquire(policy, userId));

    public TimeSpan Refill(RateLimitPolicy policy) => limits.Budget(policy).Refill;

    private bool Acquire(RateLimitPolicy policy, Guid userId)
    {
        using var lease = _budgets[policy].AttemptAcquire(userId);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        foreach (var budget in _budgets.Values)
            budget.Dispose();
    }

    private static PartitionedRateLimiter<Guid> PerUser(RateBudget budget) =>
        PartitionedRateLimiter.Create<Guid, Guid>(userId => RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = budget.Burst,
            TokensPerPeriod = budget.PermitsPerPeriod,
            ReplenishmentPeriod = budget.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
