using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.Hubs;
using EventChat.Api.OpenApi;
using EventChat.Application.Conversations;
using EventChat.Projections;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record EditMessageRequest([property: Required] string? Content);

public static class MessageEndpoints
{
    public static void MapMessages(this IEndpointRouteBuilder app)
    {
        var messages = app.MapGroup("/api/chat/messages").RequireAuthorization().WithTags("Messages").ProducesProblems(401, 500);

        // Same command as the hub's sendMessage, so a REST send pushes exactly as a hub send does.
        messages.MapPost("/", async Task<Created<MessageDelivery>> (SendMessageRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var delivery = await mediator.Send(body.ToCommand(user.UserId()), ct);
            var message = delivery.Message;
            return TypedResults.Created($"/api/chat/conversations/{message.ConversationId}/messages?after={message.Sequence - 1}&limit=1", delivery);
        })
            .WithName("sendMessage")
            .WithSummary("Send a message (same as the hub's sendMessage)")
            .ProducesProblems(400, 404, 429);

        messages.MapPatch("/{id:guid}", async Task<Ok<MessageView>> (Guid id, EditMessageRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new EditMessage(user.UserId(), id, body.Content), ct)))
            .WithName("editMessage")
            .WithSummary("Edit your message")
            .ProducesProblems(400, 403, 404, 409, 429);

        messages.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            await mediator.Send(new DeleteMessage(user.UserId(), user.CanModerate(), id), ct);
            return TypedResults.NoContent();
        })
            .WithName("deleteMessage")
            .WithSummary("Delete a message (sender or moderator)")
            .ProducesProblems(403, 404);

        messages.MapGet("/{id:guid}/versions", async Task<Ok<MessageVersions>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetMessageVersions(user.UserId(), id), ct)))
            .WithName("getMessageVersions")
            .WithSummary("A message's edit history")
            .ProducesProblems(404);
    }
}
