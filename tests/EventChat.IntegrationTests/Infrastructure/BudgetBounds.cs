using EventChat.Api.Hubs;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// What a token bucket guarantees, stated over a window the test measured itself. A fixed count ("20 to 30 of 40
/// sends") holds only at the speed the author's machine had: on a loaded machine the sends take longer and the bucket
/// refills meanwhile. Both the per-node buckets and the Redis one refill continuously, so over a window no more than
/// the burst plus what the rate gave back can pass, however slow the machine.
/// </summary>
public static class BudgetBounds
{
    /// <summary>The most calls a fresh bucket lets through within <paramref name="window"/>.</summary>
    public static int MostAcceptedWithin(this RateBudget budget, TimeSpan window) =>
        budget.Burst + (int)Math.Floor(window.TotalSeconds * budget.PermitsPerSecond);
}
