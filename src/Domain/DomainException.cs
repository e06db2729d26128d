namespace EventChat.Domain;

/// <summary>What kind of rule a command broke; the API maps each kind to one status and error code.</summary>
public enum DomainError
{
    Invalid,
    NotFound,
    Forbidden,
    Conflict,
    Unauthenticated,
    RateLimited,
}

/// <summary>A broken business rule. Its message is safe to show to the user who caused it.</summary>
public sealed class DomainException(DomainError error, string message) : Exception(message)
{
    public DomainError Error { get; } = error;

    /// <summary>For <see cref="DomainError.RateLimited"/>: when trying again can succeed, if known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public static DomainException NotFound(string what) => new(DomainError.NotFound, $"{what} was not found.");
}
