using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Conversations;
using EventChat.Application.Privacy;
using EventChat.Domain.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record CreateConversationRequest([property: Required] IReadOnlyList<Guid>? ParticipantIds, string? Title);

public sealed record MarkReadRequest([property: Required] Guid MessageId);

public sealed record AddParticipantsRequest([property: Required] IReadOnlyList<Guid>? UserIds);

public static class ConversationEndpoints
{
    public static void MapConversations(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/chat/conversations").RequireAuthorization().WithTags("Conversations").ProducesProblems(401, 500);

        conversations.MapGet("/", async Task<Ok<ConversationPage>> (string? before, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetConversations(user.UserId(), before, limit), ct)))
            .WithName("listConversations")
            .WithSummary("A page of your conversations, most recently active first")
            .ProducesProblems(400);

        conversations.MapPost("/", async Task<Created<ConversationDto>> (CreateConversationRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var created = await mediator.Send(new CreateGroupConversation(user.UserId(), body.ParticipantIds, body.Title), ct);
            return TypedResults.Created($"/api/chat/conversations/{created.Id}", created);
        })
            .WithName("createGroupConversation")
            .WithSummary("Start a group conversation")
            .ProducesProblems(400, 404, 429);

        // Crypto-shredding: an admin erases at once; in a direct conversation each participant asks, and the second erases.
        conversations.MapDelete("/{id:guid}/content", async Task<Ok<ContentErasure>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new EraseConversationContent(user.UserId(), user.IsInRole(Roles.Admin), id), ct)))
            .WithName("eraseConversationContent")
            .WithSummary("Erase a conversation's content (admin, or every participant of a direct conversation)")
            .ProducesProblems(403, 404);

        conversations.MapGet("/{id:guid}", async Task<Ok<ConversationDto>> (Guid id, DateTimeOffset? asOf, long? version, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetConversation(user.UserId(), id, asOf, version), ct)))
            .WithName("getConversation")
            .WithSummary("A conversation, now or as it stood at asOf / version")
            .ProducesProblems(400, 404);

        conversations.MapGet("/{id:guid}/events", async Task<Ok<EventPage>> (Guid id, long? after, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetConversationEvents(user.UserId(), user.IsInRole(Roles.Admin), id, after, limit), ct)))
            .WithName("getConversationEvents")
            .WithSummary("A conversation's event history")
            .ProducesProblems(400, 404);

        conversations.MapGet("/{id:guid}/messages", async Task<Ok<MessagePage>> (Guid id, long? after, long? before, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetMessages(user.UserId(), id, after, before, limit), ct)))
            .WithName("getMessages")
            .WithSummary("A page of a conversation's messages, by sequence")
            .ProducesProblems(400, 404);

        conversations.MapPost("/{id:guid}/read", async Task<Ok<ReadResult>> (Guid id, MarkReadRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new MarkRead(user.UserId(), id, body.MessageId), ct)))
            .WithName("markRead")
            .WithSummary("Mark messages read, up to and including one")
            .ProducesProblems(400, 404);

        conversations.MapPost("/{id:guid}/participants", async Task<Ok<ConversationDto>> (Guid id, AddParticipantsRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new AddParticipants(user.UserId(), id, body.UserIds), ct)))
            .WithName("addParticipants")
            .WithSummary("Add users to a group")
            .ProducesProblems(400, 404, 429);

        // Removing yourself is leaving the group.
        conversations.MapDelete("/{id:guid}/participants/{userId:guid}", async Task<NoContent> (Guid id, Guid userId, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new RemoveParticipant(user.UserId(), id, userId), ct);
            return TypedResults.NoContent();
        })
            .WithName("removeParticipant")
            .WithSummary("Remove a participant from a group, or leave it")
            .ProducesProblems(400, 403, 404);
    }
}
