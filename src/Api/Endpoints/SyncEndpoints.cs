using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Sync;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

/// <summary>The sync feed: resume from anywhere. See docs/api.md ("Sync: resume from anywhere").</summary>
public static class SyncEndpoints
{
    /// <summary>
    /// Cursors are signed with a key derived from the JWT signing key (so rotating that key invalidates cursors too,
    /// and clients start again without one); the safe-horizon settings come from <c>EventChat:Sync</c>.
    /// </summary>
    public static void AddSync(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(provider => new SyncCursors(provider.GetRequiredService<JwtSettings>().Key.Key));
        services.AddSingleton(config.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions());
    }

    public static void MapSync(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/chat/sync", async Task<Ok<SyncPage>> (string? since, int? limit, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new SyncFeed(user.UserId(), since, limit), ct)))
            .RequireAuthorization()
            .WithTags("Sync")
            .WithName("sync")
            .WithSummary("Everything that changed for you since a cursor, in commit order, with the next cursor")
            .ProducesProblems(400, 401, 500);
}
