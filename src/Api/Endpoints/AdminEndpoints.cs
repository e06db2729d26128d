using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Admin;
using EventChat.Application.Users;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record RoleRequest(string? Role);

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

        // By id, never by name: an id cannot be registered again once its account is erased.
        admin.MapPut("/users/{userId:guid}/role", async Task<Ok<AccountRole>> (Guid userId, RoleRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ChangeUserRole(user.UserId(), userId, body.Role), ct)))
            .WithSummary("Set a user's role (user, moderator or admin); their next token carries it")
            .ProducesProblems(400, 404);
    }
}
