using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Admin;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(policy => policy.RequireRole(Roles.Admin)).WithTags("Admin").ProducesProblems(401, 403, 500);

        admin.MapGet("/projections", async Task<Ok<IReadOnlyList<string>>> (IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListProjections(), ct)))
            .WithSummary("The projections that can be rebuilt");

        admin.MapPost("/projections/{name}/rebuild", async Task<Ok<RebuiltProjection>> (string name, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new RebuildProjection(name), ct)))
            .WithSummary("Rebuild a projection from the events")
            .ProducesProblems(400, 404);
    }
}
