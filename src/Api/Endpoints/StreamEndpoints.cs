using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Streams;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record StartStreamRequest([property: Required] string? Title);

public sealed record BanRequest([property: Required] Guid? UserId);

public static class StreamEndpoints
{
    public static void MapStreams(this IEndpointRouteBuilder app)
    {
        var streams = app.MapGroup("/api/streams").RequireAuthorization().WithTags("Live sessions").ProducesProblems(401, 500);

        streams.MapPost("/", async Task<Created<LiveSessionDto>> (StartStreamRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var started = await mediator.Send(new StartLiveSession(user.UserId(), body.Title), ct);
            return TypedResults.Created($"/api/streams/{started.Id}", started);
        })
            .WithName("startLiveSession")
            .WithSummary("Start a live session you host")
            .ProducesProblems(400);

        streams.MapGet("/", async Task<Ok<LiveSessionPage>> (string? state, string? before, int? limit, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListLiveSessions(state, before, limit), ct)))
            .WithName("listLiveSessions")
            .WithSummary("Live sessions (state live, the default, or ended), most recently started first, a page at a time")
            .ProducesProblems(400);

        streams.MapGet("/{id:guid}", async Task<Ok<LiveSessionDto>> (Guid id, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetLiveSession(id), ct)))
            .WithName("getLiveSession")
            .WithSummary("A live session")
            .ProducesProblems(404);

        streams.MapPost("/{id:guid}/end", async Task<Ok<LiveSessionDto>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new EndLiveSession(user.UserId(), user.CanModerate(), id), ct)))
            .WithName("endLiveSession")
            .WithSummary("End a live session (host or moderator)")
            .ProducesProblems(403, 404);

        streams.MapDelete("/{id:guid}/messages/{messageId:guid}", async Task<NoContent> (Guid id, Guid messageId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveStreamMessage(user.UserId(), user.CanModerate(), id, messageId), ct);
            return TypedResults.NoContent();
        })
            .WithName("takeDownStreamMessage")
            .WithSummary("Take a chat message down (host or moderator)")
            .ProducesProblems(403, 404);

        streams.MapPost("/{id:guid}/bans", async Task<NoContent> (Guid id, BanRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new BanFromStream(user.UserId(), user.CanModerate(), id, body.UserId ?? Guid.Empty), ct);
            return TypedResults.NoContent();
        })
            .WithName("banFromStream")
            .WithSummary("Ban a user from the chat (host or moderator)")
            .ProducesProblems(400, 403, 404);
    }
}
