namespace EventChat.Api.Hubs;

/// <summary>
/// The abuse limits of the real-time API, bound from <c>EventChat:Limits</c> (see docs/operations.md).
/// Rate budgets are token buckets per user: a burst, refilled at a sustained rate.
/// </summary>
public sealed record HubLimits
{
    public const string Section = "EventChat:Limits";

    public int MessageBurst { get; init; } = 20;
    public int MessagesPerSecond { get; init; } = 5;
    public int TypingBurst { get; init; } = 10;
    public int TypingPerSecond { get; init; } = 2;
    public int MaxConnectionsPerUser { get; init; } = 10;
    public int MaxHubMessageBytes { get; init; } = 32 * 1024;

    /// <summary>A connection silent this long (no message, no ping) is treated as dead: the user goes offline.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the server pings; clients should ping at least as often (SignalR clients default to 15 s).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);
}
