using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Admin;
using EventChat.Application.Users;
using EventChat.Application.Webhooks;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record RoleRequest([property: Required] string? Role);

public sealed record WebhookRequest([property: Required] string? Url, string? Secret, IReadOnlyList<string>? EventTypes);

/// <summary>Where a replay starts: a position in the event store, or a time. One of the two.</summary>
public sealed record ReplayRequest(long? FromSequence, DateTimeOffset? FromTime);

public static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").RequireAuthorization(policy => policy.RequireRole(Roles.Admin)).WithTags("Admin").ProducesProblems(401, 403, 500);

        admin.MapGet("/projections", async Task<Ok<IReadOnlyList<string>>> (IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListProjections(), ct)))
            .WithName("listProjections")
            .WithSummary("The projections that can be rebuilt");

        admin.MapGet("/projections/status", async Task<Ok<ProjectionStatus>> (IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetProjectionStatus(), ct)))
            .WithName("getProjectionStatus")
            .WithSummary("Each projection's position, lag and running rebuild");

        admin.MapPost("/projections/{name}/rebuild", async Task<Ok<RebuiltProjection>> (string name, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new RebuildProjection(name), ct)))
            .WithName("rebuildProjection")
            .WithSummary("Rebuild a projection from the events")
            .ProducesProblems(400, 404, 409);

        // By id, never by name: an id cannot be registered again once its account is erased.
        admin.MapPut("/users/{userId:guid}/role", async Task<Ok<AccountRole>> (Guid userId, RoleRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ChangeUserRole(user.UserId(), userId, body.Role), ct)))
            .WithName("setUserRole")
            .WithSummary("Set a user's role (user, moderator or admin); their next token carries it")
            .ProducesProblems(400, 404);

        // Webhooks: docs/integrations.md#webhooks.
        admin.MapPost("/webhooks", async Task<Created<RegisteredWebhook>> (WebhookRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var registered = await mediator.Send(new RegisterWebhook(user.UserId(), body.Url, body.Secret, body.EventTypes), ct);
            return TypedResults.Created($"/api/admin/webhooks/{registered.Id}", registered);
        })
            .WithName("registerWebhook")
            .WithSummary("Register a webhook; its secret is shown in this answer only")
            .ProducesProblems(400);

        admin.MapGet("/webhooks", async Task<Ok<IReadOnlyList<WebhookDto>>> (IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListWebhooks(), ct)))
            .WithName("listWebhooks")
            .WithSummary("The registered webhooks");

        admin.MapDelete("/webhooks/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteWebhook(id), ct);
            return TypedResults.NoContent();
        })
            .WithName("deleteWebhook")
            .WithSummary("Remove a webhook and what was still to be delivered to it")
            .ProducesProblems(404);

        admin.MapGet("/webhooks/{id:guid}/deliveries", async Task<Ok<IReadOnlyList<WebhookDelivery>>> (Guid id, int? limit, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetWebhookDeliveries(id, limit), ct)))
            .WithName("getWebhookDeliveries")
            .WithSummary("A webhook's delivery log, newest first")
            .ProducesProblems(400, 404);

        admin.MapPost("/webhooks/{id:guid}/replay", async Task<Accepted<ReplayStarted>> (Guid id, ReplayRequest body, IMediator mediator, CancellationToken ct) =>
            TypedResults.Accepted((string?)null, await mediator.Send(new ReplayWebhook(id, body.FromSequence, body.FromTime), ct)))
            .WithName("replayWebhook")
            .WithSummary("Deliver again every event the webhook wants from a position or a time")
            .ProducesProblems(400, 404);
    }
}
