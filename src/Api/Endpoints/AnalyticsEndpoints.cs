using System.Text;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Analytics;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public static class AnalyticsEndpoints
{
    public static void MapAnalytics(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/api/analytics").RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .WithTags("Analytics").ProducesProblems(401, 403, 500);

        analytics.MapGet("/daily", async Task<Ok<IReadOnlyList<DailyAnalytics>>> (DateOnly? from, DateOnly? to, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetDailyAnalytics(from, to), ct)))
            .WithName("getDailyAnalytics")
            .WithSummary("Conversation activity per UTC day")
            .ProducesProblems(400);

        analytics.MapGet("/daily.csv", async Task<FileContentHttpResult> (DateOnly? from, DateOnly? to, IMediator mediator, CancellationToken ct) =>
        {
            var rows = await mediator.Send(new GetDailyAnalytics(from, to), ct);
            var name = rows.Count == 0 ? "eventchat-daily.csv" : $"eventchat-daily-{rows[0].Date:yyyy-MM-dd}-{rows[^1].Date:yyyy-MM-dd}.csv";
            return TypedResults.File(Encoding.UTF8.GetBytes(DailyAnalyticsCsv.Write(rows)), "text/csv; charset=utf-8", name);
        })
            .WithName("getDailyAnalyticsCsv")
            .WithSummary("Conversation activity per UTC day, as CSV")
            // A file result declares no response of its own; the document must still show the 200 and its type.
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblems(400);

        analytics.MapGet("/streams", async Task<Ok<IReadOnlyList<StreamAnalytics>>> (DateOnly? from, DateOnly? to, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListStreamAnalytics(from, to), ct)))
            .WithName("listStreamAnalytics")
            .WithSummary("The live sessions started in a range of UTC days, oldest first, with their peak viewers and chat messages")
            .ProducesProblems(400);

        analytics.MapGet("/streams/{id:guid}", async Task<Ok<StreamAnalytics>> (Guid id, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetStreamAnalytics(id), ct)))
            .WithName("getStreamAnalytics")
            .WithSummary("A live session's peak viewers and chat messages")
            .ProducesProblems(404);
    }
}
