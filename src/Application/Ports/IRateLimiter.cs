namespace EventChat.Application.Ports;

/// <summary>The budgets a user spends; each user has their own, so one user's flood never slows another.</summary>
public enum RateLimitPolicy
{
    Messages,
    Typing,
    /// <summary>Creating groups and adding people to them: what puts others into conversations they did not ask for.</summary>
    Membership,
}

public interface IRateLimiter
{
    /// <summary>Spends one permit of the user's budget; false when it is exhausted. Asynchronous because a budget
    /// shared by several nodes is a network round trip, and every message spends one.</summary>
    ValueTask<bool> TryAcquire(RateLimitPolicy policy, Guid userId);

    /// <summary>How long the budget takes to give one permit back: when a refused caller can succeed again.</summary>
    TimeSpan Refill(RateLimitPolicy policy);
}

/// <summary>A message whose sender spends a permit of <see cref="Policy"/> before it is handled.</summary>
public interface IRateLimited
{
    RateLimitPolicy Policy { get; }

    Guid RateLimitedUserId { get; }
}
