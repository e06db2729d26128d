using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Api.Privacy;
using EventChat.Application.Privacy;
using EventChat.Application.Users;
using EventChat.Domain;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

/// <summary>What the app's backend says of one of its users; whatever it leaves out is cleared.</summary>
public sealed record AppUserRequest(string? DisplayName, string? AvatarUrl, Dictionary<string, string>? CustomData);

/// <param name="ExpiresInSeconds">How long the token lives; default an hour, at most <c>Jwt:TokenLifetime</c>.</param>
public sealed record MintTokenRequest(int? ExpiresInSeconds);

/// <summary>
/// The server API: what the app's backend calls, with the API secret (<see cref="ServerApiSecret"/>), never from a browser.
/// Users are named by the app's own ids (docs/integrations.md#the-server-api).
/// </summary>
public static class ServerEndpoints
{
    public const int DefaultTokenSeconds = 3600;
    public const int MinTokenSeconds = 1;

    public static void MapServerApi(this IEndpointRouteBuilder app)
    {
        // The registered instance, made now: a secret that is too short stops start-up, not the first call.
        var secret = app.ServiceProvider.GetRequiredService<ServerApiSecret>();
        var server = app.MapGroup("/api/server").AllowAnonymous().AddEndpointFilter(secret).WithTags("Server API").ProducesProblems(401, 500);

        server.MapPut("/users/{externalId}", async Task<Results<Created<AppUserProfile>, Ok<AppUserProfile>>> (string externalId, AppUserRequest body, IMediator mediator, CancellationToken ct) =>
        {
            var upserted = await mediator.Send(new UpsertAppUser(externalId, body.DisplayName, body.AvatarUrl, body.CustomData), ct);
            return upserted.Created ? TypedResults.Created((string?)null, upserted.User) : TypedResults.Ok(upserted.User);
        })
            .WithName("upsertAppUser")
            .WithSummary("Create or replace one of the app's users")
            .ProducesProblems(400, 409);

        server.MapGet("/users/{externalId}", async Task<Ok<AppUserProfile>> (string externalId, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new FindAppUser(externalId), ct)))
            .WithName("getAppUser")
            .WithSummary("One of the app's users")
            .ProducesProblems(404);

        // A user not seen before is provisioned, so the backend can mint a token in one call.
        server.MapPost("/users/{externalId}/tokens", async Task<Ok<AuthToken>> (string externalId, MintTokenRequest? body, IMediator mediator, TokenIssuer tokens, CancellationToken ct) =>
        {
            var seconds = body?.ExpiresInSeconds ?? DefaultTokenSeconds;
            if (seconds < MinTokenSeconds)
                throw new DomainException(DomainError.Invalid, $"'expiresInSeconds' must be at least {MinTokenSeconds}.");
            var user = (await mediator.Send(new UpsertAppUser(externalId, null, null, null, KeepExisting: true), ct)).User;
            if (!user.Active)
                throw new DomainException(DomainError.Conflict, AccountStanding.Deactivated);
            return TypedResults.Ok(tokens.Issue(new(user.UserId, user.ExternalId, user.Role), TimeSpan.FromSeconds(seconds)));
        })
            .WithName("mintAppUserToken")
            .WithSummary("A token for one of the app's users, for its client to connect with")
            .ProducesProblems(400, 404, 409);

        server.MapPost("/users/{externalId}/deactivate", (string externalId, IMediator mediator, IStandingAnnouncer standings, CancellationToken ct) =>
            ChangeActivation(externalId, active: false, mediator, standings, ct))
            .WithName("deactivateAppUser")
            .WithSummary("Suspend a user: their tokens are refused and their connections closed")
            .ProducesProblems(404);

        server.MapPost("/users/{externalId}/reactivate", (string externalId, IMediator mediator, IStandingAnnouncer standings, CancellationToken ct) =>
            ChangeActivation(externalId, active: true, mediator, standings, ct))
            .WithName("reactivateAppUser")
            .WithSummary("Let a deactivated user back")
            .ProducesProblems(404);

        server.MapDelete("/users/{externalId}", async Task<NoContent> (string externalId, IMediator mediator, IStandingAnnouncer standings, CancellationToken ct) =>
        {
            var userId = (await mediator.Send(new FindAppUser(externalId), ct)).UserId;
            await mediator.Send(new EraseUser(userId), ct);
            await standings.Announce(userId);
            return TypedResults.NoContent();
        })
            .WithName("eraseAppUser")
            .WithSummary("Erase a user and the content of every message they sent")
            .ProducesProblems(404);
    }

    // Every node looks at the account again at once: its connections close, or its tokens work again.
    private static async Task<Ok<AppUserProfile>> ChangeActivation(string externalId, bool active, IMediator mediator, IStandingAnnouncer standings, CancellationToken ct)
    {
        var user = await mediator.Send(new FindAppUser(externalId), ct);
        var changed = await mediator.Send(new ChangeUserActivation(user.UserId, active), ct);
        await standings.Announce(user.UserId);
        return TypedResults.Ok(changed);
    }
}
