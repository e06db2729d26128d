using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Api.Privacy;
using EventChat.Application.Privacy;
using EventChat.Application.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public static class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").RequireAuthorization().WithTags("Users").ProducesProblems(401, 500);

        // Start a chat by name: the exact username (ignoring case) or the app's own id for its user, else 404. No search,
        // so no listing of users.
        users.MapGet("/", async Task<Ok<UserSummary>> (string? username, string? externalId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new FindUser(user.UserId(), username, null, externalId), ct)))
            .WithName("findUser")
            .WithSummary("Find a user by exact username, or by the app's own id for them")
            .ProducesProblems(400, 404);

        // Streamed: the messages are written as they are read and decrypted, a page at a time.
        users.MapGet("/me/export", async Task<Ok<DataExport>> (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ExportMyData(user.UserId()), ct)))
            .WithName("exportMyData")
            .WithSummary("Your account and every message you sent or received, as JSON")
            .ProducesProblems(404);

        // Erasure, not deactivation: the messages you sent read "[erased]" for everyone, and the account cannot come back.
        users.MapDelete("/me", async Task<NoContent> (ClaimsPrincipal user, IMediator mediator, IStandingAnnouncer standings, CancellationToken ct) =>
        {
            await mediator.Send(new EraseUser(user.UserId()), ct);
            // The request's own token and every open connection of the account stop working now, on every node.
            await standings.Announce(user.UserId());
            return TypedResults.NoContent();
        })
            .WithName("eraseMyAccount")
            .WithSummary("Erase your account and the content of every message you sent")
            .ProducesProblems(404);

        // Name the people in your conversations: yourself or a contact, else 404.
        users.MapGet("/{id:guid}", async Task<Ok<UserSummary>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new FindUser(user.UserId(), null, id), ct)))
            .WithName("getUser")
            .WithSummary("Yourself or a user who shares a conversation with you")
            .ProducesProblems(404);
    }
}
