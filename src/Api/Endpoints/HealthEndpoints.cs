using Marten;

namespace EventChat.Api.Endpoints;

public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        // Healthy means able to serve: the database answers.
        app.MapGet("/health", async (IQuerySession session, CancellationToken ct) =>
        {
            await session.QueryAsync<int>("select 1", ct);
            return TypedResults.Ok(new { status = "healthy" });
        }).AllowAnonymous().WithTags("Health");
}
