using EventChat.Application.Ports;

namespace EventChat.Api.Auth;

/// <summary>
/// Login brute-force limits, bound from <c>EventChat:Login</c> (see docs/operations.md). A username is locked after
/// <see cref="MaxFailuresPerUser"/> failures within <see cref="Window"/>; a client address after
/// <see cref="MaxFailuresPerAddress"/> (higher: many people can share one address behind a NAT).
/// </summary>
public sealed record LoginLimits
{
    public const string Section = "EventChat:Login";

    public int MaxFailuresPerUser { get; init; } = 5;
    public int MaxFailuresPerAddress { get; init; } = 50;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// The login throttle for one node: the times of recent failures per key, oldest first, in memory, under one lock.
/// A key is blocked while it has its maximum of failures (or more) within the window.
/// Keys with no failure left in the window are dropped, so guessing many usernames cannot grow it without bound.
/// </summary>
public sealed class InMemoryLoginThrottle(LoginLimits limits, TimeProvider clock) : ILoginThrottle
{
    private readonly Dictionary<string, List<DateTimeOffset>> _failures = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    public ValueTask<TimeSpan?> Check(LoginAttempt attempt, CancellationToken ct)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            Sweep(now);
            TimeSpan? wait = null;
            foreach (var (key, max) in Keys(attempt))
                if (_failures.TryGetValue(key, out var times) && Prune(times, now) >= max)
                    // Attempts in flight when the maximum was reached can leave more than it: the key stays blocked
                    // until it is back below, when the max-th newest failure leaves the window.
                    wait = Max(wait, times[^max] + limits.Window - now);
            return ValueTask.FromResult(wait);
        }
    }

    public ValueTask Failed(LoginAttempt attempt, CancellationToken ct)
    {
        lock (_lock)
        {
            var now = clock.GetUtcNow();
            foreach (var (key, _) in Keys(attempt))
                Failures(key).Add(now);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask Succeeded(LoginAttempt attempt, CancellationToken ct)
    {
        lock (_lock)
            _failures.Remove(UserKey(attempt));
        return ValueTask.CompletedTask;
    }

    private IEnumerable<(string Key, int Max)> Keys(LoginAttempt attempt)
    {
        yield return (UserKey(attempt), limits.MaxFailuresPerUser);
        if (attempt.ClientAddress is not null)
            yield return (AddressKey(attempt), limits.MaxFailuresPerAddress);
    }

    private static string UserKey(LoginAttempt attempt) => "user:" + attempt.NormalizedUsername;

    private static string AddressKey(LoginAttempt attempt) => "address:" + attempt.ClientAddress;

    private List<DateTimeOffset> Failures(string key) =>
        _failures.TryGetValue(key, out var times) ? times : _failures[key] = [];

    private int Prune(List<DateTimeOffset> times, DateTimeOffset now)
    {
        times.RemoveAll(time => time + limits.Window <= now);
        return times.Count;
    }

    // At most once per window, drop every key whose failures have all left it.
    private void Sweep(DateTimeOffset now)
    {
        if (now - _lastSweep < limits.Window)
            return;
        _lastSweep = now;
        foreach (var key in _failures.Where(entry => Prune(entry.Value, now) == 0).Select(entry => entry.Key).ToList())
            _failures.Remove(key);
    }

    private static TimeSpan Max(TimeSpan? a, TimeSpan b) => a is { } x && x > b ? x : b;
}
