using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Application.Conversations;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record CreateConversationRequest(IReadOnlyList<Guid>? ParticipantIds, string? Title);

public sealed record MarkReadRequest(Guid MessageId);

public sealed record AddParticipantsRequest(IReadOnlyList<Guid>? UserIds);

public static class ConversationEndpoints
{
    public static void MapConversations(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/chat/conversations").RequireAuthorization().WithTags("Conversations");

        conversations.MapGet("/", async Task<Ok<IReadOnlyList<ConversationDto>>> (ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetConversations(user.UserId()), ct)));

        conversations.MapPost("/", async Task<Created<ConversationDto>> (CreateConversationRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var created = await mediator.Send(new CreateGroupConversation(user.UserId(), body.ParticipantIds, body.Title), ct);
            return TypedResults.Created($"/api/chat/conversations/{created.Id}", created);
        });

        conversations.MapGet("/{id:guid}", async Task<Ok<ConversationDto>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetConversation(user.UserId(), id), ct)));

        conversations.MapGet("/{id:guid}/messages", async Task<Ok<MessagePage>> (Guid id, long? after, long? before, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetMessages(user.UserId(), id, after, before, limit), ct)));

        conversations.MapPost("/{id:guid}/read", async Task<Ok<ReadResult>> (Guid id, MarkReadRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new MarkRead(user.UserId(), id, body.MessageId), ct)));

        conversations.MapPost("/{id:guid}/participants", async Task<Ok<ConversationDto>> (Guid id, AddParticipantsRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new AddParticipants(user.UserId(), id, body.UserIds), ct)));

        // Removing yourself is leaving the group.
        conversations.MapDelete("/{id:guid}/participants/{userId:guid}", async Task<NoContent> (Guid id, Guid userId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveParticipant(user.UserId(), id, userId), ct);
            return TypedResults.NoContent();
        });
    }
}
