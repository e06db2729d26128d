namespace EventChat.Application.Ports;

/// <summary>Who is trying to log in: the normalized username, and the client's address when the API knows it.</summary>
public sealed record LoginAttempt(string NormalizedUsername, string? ClientAddress);

/// <summary>
/// Brute-force protection for logins: counts failed attempts per username and per client address within a window.
/// One node keeps the counts in memory; several nodes need a shared store behind this port (see docs/operations.md).
/// </summary>
public interface ILoginThrottle
{
    /// <summary>How long this attempt must wait because too many recent ones failed; null when it may go ahead.</summary>
    ValueTask<TimeSpan?> RetryAfter(LoginAttempt attempt, CancellationToken ct);

    ValueTask Failed(LoginAttempt attempt, CancellationToken ct);

    /// <summary>A right password clears the username's failures (not the address's: one's own account must not reset a guesser's count).</summary>
    ValueTask Succeeded(LoginAttempt attempt, CancellationToken ct);
}
