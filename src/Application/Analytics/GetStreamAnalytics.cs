using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Analytics;

/// <summary>One live session's numbers, from the async <see cref="LiveSessionStatsProjection"/>.</summary>
public sealed record GetStreamAnalytics(Guid SessionId) : IQuery<StreamAnalytics>;

/// <summary>
/// <see cref="PeakViewers"/>: the most users watching at once (as counted by the node they joined);
/// <see cref="ChatMessages"/>: every chat message posted, <see cref="RemovedMessages"/>: how many of them were taken down.
/// </summary>
public sealed record StreamAnalytics(
    Guid SessionId,
    Guid HostId,
    string Title,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    int PeakViewers,
    long ChatMessages,
    long RemovedMessages)
{
    public static StreamAnalytics From(LiveSessionStats stats) =>
        new(stats.Id, stats.HostId, stats.Title, stats.StartedAt, stats.EndedAt, stats.PeakViewers, stats.ChatMessages, stats.RemovedMessages);
}

public sealed class GetStreamAnalyticsValidator : AbstractValidator<GetStreamAnalytics>
{
    public GetStreamAnalyticsValidator() => RuleFor(q => q.SessionId).NotEmpty();
}

public sealed class GetStreamAnalyticsHandler(IQuerySession session) : IQueryHandler<GetStreamAnalytics, StreamAnalytics>
{
    public async ValueTask<StreamAnalytics> Handle(GetStreamAnalytics query, CancellationToken ct)
    {
        var stats = await session.LoadAsync<LiveSessionStats>(query.SessionId, ct) ?? throw DomainException.NotFound("Live session");
        return StreamAnalytics.From(stats);
    }
}
