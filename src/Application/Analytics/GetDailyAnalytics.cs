using System.Globalization;
using System.Text;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Analytics;

/// <summary>
/// Conversation activity per UTC day from <paramref name="From"/> to <paramref name="To"/> (an <see cref="IDayRange"/>).
/// Every day of the range is listed, with zeros for a day without activity.
/// </summary>
public sealed record GetDailyAnalytics(DateOnly? From, DateOnly? To) : IQuery<IReadOnlyList<DailyAnalytics>>, IDayRange;

/// <summary>
/// One day. <see cref="FirstReplies"/> is how many direct conversations got their first reply that day, and
/// <see cref="MedianFirstReplySeconds"/> the median of those waits (null without any).
/// </summary>
public sealed record DailyAnalytics(
    DateOnly Date,
    long MessagesSent,
    long ActiveSenders,
    long ConversationsStarted,
    int FirstReplies,
    double? MedianFirstReplySeconds);

public sealed class GetDailyAnalyticsValidator : AbstractValidator<GetDailyAnalytics>
{
    public GetDailyAnalyticsValidator() => Include(new DayRangeValidator());
}

public sealed class GetDailyAnalyticsHandler(IQuerySession session, TimeProvider clock) : IQueryHandler<GetDailyAnalytics, IReadOnlyList<DailyAnalytics>>
{
    public async ValueTask<IReadOnlyList<DailyAnalytics>> Handle(GetDailyAnalytics query, CancellationToken ct)
    {
        var (from, to) = query.Days(clock);

        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var keys = days.Select(AnalyticsDay.Of).ToArray();
        // One round trip: the days' counters, their active senders counted through the day index, and one row per
        // direct conversation first answered in the range, through the reply_day index.
        var batch = session.CreateBatchQuery();
        var counters = batch.LoadMany<DailyActivity>().ById(keys);
        var senders = keys.Select(key => batch.Query<DailySender>().Where(s => s.Day == key).Count()).ToList();
        var answered = batch.Query<FirstReply>().Where(r => keys.Contains(r.ReplyDay)).ToList();
        await batch.Execute(ct);
        var activity = (await counters).ToDictionary(d => d.Id);
        var activeSenders = await Task.WhenAll(senders);
        var replies = (await answered).Where(r => r.ReplySeconds is not null).ToLookup(r => r.ReplyDay!, r => r.ReplySeconds!.Value);

        return [.. days.Select((day, i) =>
        {
            var a = activity.GetValueOrDefault(keys[i]) ?? DailyActivity.Empty(keys[i]);
            var waits = replies[keys[i]].ToArray();
            return new DailyAnalytics(day, a.MessagesSent, activeSenders[i], a.ConversationsStarted, waits.Length, Median(waits));
        })];
    }

    public static double? Median(double[] values)
    {
        if (values.Length == 0)
            return null;
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}

/// <summary>The daily rows as CSV (RFC 4180, invariant culture), for spreadsheets.</summary>
public static class DailyAnalyticsCsv
{
    public const string Header = "date,messages_sent,active_senders,conversations_started,first_replies,median_first_reply_seconds";

    public static string Write(IEnumerable<DailyAnalytics> rows)
    {
        var csv = new StringBuilder().Append(Header).Append("\r\n");
        foreach (var r in rows)
            csv.Append(CultureInfo.InvariantCulture,
                $"{AnalyticsDay.Of(r.Date)},{r.MessagesSent},{r.ActiveSenders},{r.ConversationsStarted},{r.FirstReplies},{r.MedianFirstReplySeconds?.ToString("0.###", CultureInfo.InvariantCulture)}\r\n");
        return csv.ToString();
    }
}
