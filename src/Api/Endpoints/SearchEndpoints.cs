using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Conversations;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public static class SearchEndpoints
{
    public static void MapSearch(this IEndpointRouteBuilder app)
    {
        var search = app.MapGroup("/api/chat/search").RequireAuthorization().WithTags("Search").ProducesProblems(401, 500);

        search.MapGet("/", async Task<Ok<SearchResults>> (string? q, Guid? conversationId, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new SearchMessages(user.UserId(), q, conversationId, limit), ct)))
            .WithName("searchMessages")
            .WithSummary("Full-text search over the messages you can see")
            .ProducesProblems(400, 404);
    }
}
