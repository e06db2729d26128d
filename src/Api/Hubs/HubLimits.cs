using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Application.Realtime;

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

    /// <summary>
    /// Groups a user may create and add people to in a row. Each such call can put others into a conversation they
    /// did not ask for, and a person does it by hand a few times at most: ten in a row, then one every ten seconds
    /// (<see cref="MembershipPerMinute"/>), keeps a flood of unwanted groups to hundreds an hour instead of hundreds
    /// a second, and an ordinary user never notices.
    /// </summary>
    public int MembershipBurst { get; init; } = 10;
    public int MembershipPerMinute { get; init; } = 6;

    public int MaxConnectionsPerUser { get; init; } = 10;

    /// <summary>
    /// Calls one connection may have running at once. A client that keeps several sends in flight gets them committed
    /// together instead of one transaction after another, and still in the order it sent them (CallerOrderFilter).
    /// </summary>
    public int CallsInFlight { get; init; } = 16;
    public int MaxHubMessageBytes { get; init; } = LargestValidCallBytes;

    /// <summary>A connection silent this long (no message, no ping) is treated as dead: the user goes offline.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the server pings; clients should ping at least as often (SignalR clients default to 15 s).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The token bucket of <paramref name="policy"/>: at most <see cref="RateBudget.Burst"/> permits, refilled at its rate.</summary>
    public RateBudget Budget(RateLimitPolicy policy) => policy switch
    {
        RateLimitPolicy.Typing => new(TypingBurst, TypingPerSecond, TimeSpan.FromSeconds(1)),
        RateLimitPolicy.Membership => new(MembershipBurst, MembershipPerMinute, TimeSpan.FromMinutes(1)),
        _ => new(MessageBurst, MessagesPerSecond, TimeSpan.FromSeconds(1)),
    };

    /// <summary>
    /// The largest hub message a call within the documented limits can take, in compact JSON: <c>getOnlineUsers</c>
    /// with every id it may name, or <c>sendMessage</c> with its longest content and clientMessageId, every character
    /// escaped as <c>\uXXXX</c>, and all its attachments (every other call is smaller). A message over the size limit
    /// closes the connection without an answer, so the limit lets every valid call through, and a call just over a
    /// documented limit gets the validators' <c>validation</c> error instead.
    /// </summary>
    public static int LargestValidCallBytes { get; } = InvocationFrameBytes + Math.Max(
        GetOnlineUsersValidator.MaxUserIds * JsonGuidBytes,
        (SendMessageValidator.MaxContentLength + SendMessageValidator.MaxClientMessageIdLength) * EscapedCharBytes
            + SendMessageValidator.MaxAttachments * JsonGuidBytes);

    /// <summary>A GUID as a JSON array item: 36 characters, two quotes and a comma.</summary>
    private const int JsonGuidBytes = 36 + 3;

    /// <summary>The most one UTF-16 code unit can take in JSON: <c>\uXXXX</c>.</summary>
    private const int EscapedCharBytes = 6;

    /// <summary>
    /// Room for the rest of the call: SignalR's invocation frame (type, invocation id, target), the field names and
    /// the short fields (ids, messageType). A few hundred bytes at most; rounded up.
    /// </summary>
    private const int InvocationFrameBytes = 1024;
}

/// <summary>A per-user token bucket: <see cref="Burst"/> permits at most, <see cref="PermitsPerPeriod"/> back every <see cref="Period"/>.</summary>
public sealed record RateBudget(int Burst, int PermitsPerPeriod, TimeSpan Period)
{
    /// <summary>How long one permit takes to come back.</summary>
    public TimeSpan Refill => Period / PermitsPerPeriod;

    public double PermitsPerSecond => PermitsPerPeriod / Period.TotalSeconds;
}
