using System.Globalization;
using EventChat.Domain.Conversations;
using EventChat.Domain.Streams;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace EventChat.Projections;

// Analytics read models. All three run in Marten's async daemon (ProjectionLifecycle.Async): they may trail the
// events by a moment, and a send never waits for them. Each is a pure fold of events, so a rebuild from the
// event store gives the same numbers (docs/operations.md, "Analytics and the async daemon").

/// <summary>The UTC day an instant falls on, as analytics documents are keyed: "2026-11-26".</summary>
public static class AnalyticsDay
{
    public const string Format = "yyyy-MM-dd";

    public static string Of(DateTimeOffset at) => at.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    public static string Of(DateOnly day) => day.ToString(Format, CultureInfo.InvariantCulture);
}

/// <summary>
/// One UTC day of conversation activity, keyed by <see cref="AnalyticsDay"/>: counters only, so the document stays
/// the same size however many users are active. The day's distinct senders are <see cref="DailySender"/> rows.
/// </summary>
public sealed record DailyActivity(string Id, long MessagesSent, long ConversationsStarted)
{
    public static DailyActivity Empty(string day) => new(day, 0, 0);
}

/// <summary>Messages sent (every <see cref="MessageSent"/>, deleted ones included) and new conversations per day.</summary>
public sealed partial class DailyActivityProjection : MultiStreamProjection<DailyActivity, string>
{
    public DailyActivityProjection()
    {
        Identity<MessageSent>(e => AnalyticsDay.Of(e.SentAt));
        Identity<ConversationStarted>(e => AnalyticsDay.Of(e.StartedAt));
    }

    public static DailyActivity Create(MessageSent e) => Apply(e, DailyActivity.Empty(AnalyticsDay.Of(e.SentAt)));

    public static DailyActivity Create(ConversationStarted e) => Apply(e, DailyActivity.Empty(AnalyticsDay.Of(e.StartedAt)));

    public static DailyActivity Apply(MessageSent e, DailyActivity day) => day with { MessagesSent = day.MessagesSent + 1 };

    public static DailyActivity Apply(ConversationStarted e, DailyActivity day) =>
        day with { ConversationsStarted = day.ConversationsStarted + 1 };
}

/// <summary>
/// One user who sent on one UTC day, and how many messages. A day's rows are its active senders, counted through the
/// duplicated, indexed <see cref="Day"/> column. Rows, not a list inside the day's document: that list was rewritten
/// whole on every daemon batch, and at 100,000 active users it would be 4 MB a time (docs/architecture.md).
/// </summary>
public sealed record DailySender(string Id, string Day, Guid SenderId, long MessagesSent)
{
    public static string IdFor(string day, Guid senderId) => $"{day}/{senderId}";
}

public sealed partial class DailySenderProjection : MultiStreamProjection<DailySender, string>
{
    public DailySenderProjection() => Identity<MessageSent>(e => DailySender.IdFor(AnalyticsDay.Of(e.SentAt), e.SenderId));

    public static DailySender Create(MessageSent e)
    {
        var day = AnalyticsDay.Of(e.SentAt);
        return new(DailySender.IdFor(day, e.SenderId), day, e.SenderId, 1);
    }

    public static DailySender Apply(MessageSent e, DailySender sender) => sender with { MessagesSent = sender.MessagesSent + 1 };
}

/// <summary>
/// How long a conversation waited for its first reply: from its first message to the first message by anyone
/// else. Measured for direct conversations only (<see cref="IsDirect"/>); a group's document stays empty.
/// <see cref="ReplyDay"/> is the UTC day of the reply, the day the wait is counted on, and is a duplicated,
/// indexed column so a day's replies are read without scanning every conversation.
/// </summary>
public sealed record FirstReply(
    Guid Id,
    bool IsDirect,
    Guid? FirstSenderId = null,
    DateTimeOffset? FirstMessageAt = null,
    DateTimeOffset? RepliedAt = null,
    double? ReplySeconds = null,
    string? ReplyDay = null);

public sealed partial class FirstReplyProjection : SingleStreamProjection<FirstReply, Guid>
{
    public static FirstReply Create(ConversationStarted e) => new(e.ConversationId, e.Kind == ConversationKind.Direct);

    public static FirstReply Apply(MessageSent e, FirstReply state) => state switch
    {
        { IsDirect: false } or { RepliedAt: not null } => state,
        { FirstSenderId: null } => state with { FirstSenderId = e.SenderId, FirstMessageAt = e.SentAt },
        _ when e.SenderId == state.FirstSenderId => state,
        _ => state with { RepliedAt = e.SentAt, ReplySeconds = (e.SentAt - state.FirstMessageAt!.Value).TotalSeconds, ReplyDay = AnalyticsDay.Of(e.SentAt) },
    };
}

/// <summary>
/// One live session in numbers. <see cref="PeakViewers"/> comes from <see cref="StreamViewerPeakReached"/>;
/// <see cref="ChatMessages"/> counts every message posted, <see cref="RemovedMessages"/> those taken down since.
/// </summary>
public sealed record LiveSessionStats(
    Guid Id,
    Guid HostId,
    string Title,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    int PeakViewers,
    long ChatMessages,
    long RemovedMessages);

public sealed partial class LiveSessionStatsProjection : SingleStreamProjection<LiveSessionStats, Guid>
{
    public static LiveSessionStats Create(LiveSessionStarted e) => new(e.SessionId, e.HostId, e.Title, e.StartedAt, null, 0, 0, 0);

    public static LiveSessionStats Apply(StreamMessagePosted e, LiveSessionStats stats) =>
        stats with { ChatMessages = stats.ChatMessages + 1 };

    public static LiveSessionStats Apply(StreamMessageRemoved e, LiveSessionStats stats) => stats with { RemovedMessages = stats.RemovedMessages + 1 };

    public static LiveSessionStats Apply(StreamViewerPeakReached e, LiveSessionStats stats) =>
        stats with { PeakViewers = Math.Max(stats.PeakViewers, e.ViewerCount) };

    public static LiveSessionStats Apply(LiveSessionEnded e, LiveSessionStats stats) => stats with { EndedAt = e.EndedAt };
}
