using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Analytics;

/// <summary>
/// The live sessions started from <paramref name="From"/> to <paramref name="To"/> (an <see cref="IDayRange"/>), oldest
/// first, each with its numbers from the async <see cref="LiveSessionStatsProjection"/>: peak viewers over time.
/// </summary>
public sealed record ListStreamAnalytics(DateOnly? From, DateOnly? To) : IQuery<IReadOnlyList<StreamAnalytics>>, IDayRange;

public sealed class ListStreamAnalyticsValidator : AbstractValidator<ListStreamAnalytics>
{
    public ListStreamAnalyticsValidator() => Include(new DayRangeValidator());
}

public sealed class ListStreamAnalyticsHandler(IQuerySession session, TimeProvider clock) : IQueryHandler<ListStreamAnalytics, IReadOnlyList<StreamAnalytics>>
{
    public async ValueTask<IReadOnlyList<StreamAnalytics>> Handle(ListStreamAnalytics query, CancellationToken ct)
    {
        var (from, to) = query.Days(clock);
        var (start, end) = (DayRange.Start(from), DayRange.Start(to.AddDays(1)));
        // One range scan of the started_at index (ProjectionsSetup); the id orders sessions started in the same instant.
        var sessions = await session.Query<LiveSessionStats>()
            .Where(s => s.StartedAt >= start && s.StartedAt < end)
            .OrderBy(s => s.StartedAt).ThenBy(s => s.Id)
            .ToListAsync(ct);
        return [.. sessions.Select(StreamAnalytics.From)];
    }
}
