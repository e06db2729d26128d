using System.ComponentModel.DataAnnotations;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Users;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record RegisterRequest([property: Required] string? Username, [property: Required] string? Password, string? DisplayName);

public sealed record LoginRequest([property: Required] string? Username, [property: Required] string? Password);

public static class AuthEndpoints
{
    public static void MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").AllowAnonymous().WithTags("Auth").ProducesProblems(429, 500).RequireAuthLimits();

        auth.MapPost("/register", async Task<Created<AuthToken>> (RegisterRequest body, IMediator mediator, TokenIssuer tokens, CancellationToken ct) =>
            TypedResults.Created((string?)null, tokens.Issue(await mediator.Send(new RegisterUser(body.Username, body.Password, body.DisplayName), ct))))
            .WithName("register")
            .WithSummary("Register a user and get a token")
            .ProducesProblems(400, 409);

        // The address counts failures per client too (behind a proxy, configure forwarded headers so it is the client's).
        auth.MapPost("/login", async Task<Ok<AuthToken>> (LoginRequest body, HttpContext http, IMediator mediator, TokenIssuer tokens, CancellationToken ct) =>
            TypedResults.Ok(tokens.Issue(await mediator.Send(new LogIn(body.Username, body.Password, http.Connection.RemoteIpAddress?.ToString()), ct))))
            .WithName("logIn")
            .WithSummary("Log in and get a token")
            .ProducesProblems(400, 401);
    }
}
