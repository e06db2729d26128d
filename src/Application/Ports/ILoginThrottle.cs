namespace EventChat.Application.Ports;

/// <summary>Who is trying to log in: the normalized username, and the client's address when the API knows it.</summary>
public sealed record LoginAttempt(string NormalizedUsername, string? ClientAddress);

/// <summary>
/// Brute-force protection for logins: counts failed attempts per username and per client address within a window.
/// One node keeps the counts in memory; several nodes need a shared store behind this port (see docs/operations.md).
/// </summary>
public interface ILoginThrottle
{
    /// <summary>
    /// Counts the attempt as failed before its password is checked, in one step with the check of the limit, so that
    /// guesses sent in parallel cannot all pass the check before any of them is counted. Answers how long to wait
    /// when the username or address is over its limit (and then counts nothing); null when the attempt may go ahead.
    /// </summary>
    ValueTask<TimeSpan?> Begin(LoginAttempt attempt, CancellationToken ct);

    /// <summary>
    /// The password was right: clears the username's failures, and takes this attempt back out of the address's
    /// count without clearing it (one's own account must not reset a guesser's count).
    /// </summary>
    ValueTask Succeeded(LoginAttempt attempt, CancellationToken ct);
}
