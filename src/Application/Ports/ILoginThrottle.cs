namespace EventChat.Application.Ports;

/// <summary>Who is trying to log in: the normalized username, and the client's address when the API knows it.</summary>
public sealed record LoginAttempt(string NormalizedUsername, string? ClientAddress);

/// <summary>
/// Brute-force protection for logins: counts failed attempts per username and per client address within a window.
/// One node keeps the counts in memory; several nodes need a shared store behind this port (see docs/operations.md).
/// </summary>
/// <remarks>
/// Only a wrong password counts, so concurrent correct logins never lock anyone out. Guesses sent at once could
/// all pass <see cref="Check"/> before the first of them is counted; what bounds them is the API's limit on how
/// many logins run at once (<c>AuthLimits.ConcurrentRequests</c>): at most that many minus one guesses can still
/// be in flight when a username reaches its maximum.
/// </remarks>
public interface ILoginThrottle
{
    /// <summary>How long to wait when the username or address is at its limit; null when the attempt may go ahead. Counts nothing.</summary>
    ValueTask<TimeSpan?> Check(LoginAttempt attempt, CancellationToken ct);

    /// <summary>The password was wrong, or no such user: counts a failure for the username and the address.</summary>
    ValueTask Failed(LoginAttempt attempt, CancellationToken ct);

    /// <summary>
    /// The password was right: clears the username's failures, not the address's (one's own account must not reset a
    /// guesser's count).
    /// </summary>
    ValueTask Succeeded(LoginAttempt attempt, CancellationToken ct);
}
