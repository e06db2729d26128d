using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using EventChat.Api.Auth;
using EventChat.Api.OpenApi;
using EventChat.Application.Posts;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EventChat.Api.Endpoints;

public sealed record CreatePostRequest([property: Required] string? Content);

public sealed record CommentRequest([property: Required] string? Content);

/// <summary>Posts are public to every signed-in user; the same commands as the hub's, so REST pushes exactly as the hub does.</summary>
public static class PostEndpoints
{
    public static void MapPosts(this IEndpointRouteBuilder app)
    {
        var posts = app.MapGroup("/api/posts").RequireAuthorization().WithTags("Posts").ProducesProblems(401, 500);

        posts.MapPost("/", async Task<Created<PostDto>> (CreatePostRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var post = await mediator.Send(new CreatePost(user.UserId(), body.Content), ct);
            return TypedResults.Created($"/api/posts/{post.Id}", post);
        })
            .WithName("createPost")
            .WithSummary("Create a post")
            .ProducesProblems(400, 429);

        posts.MapGet("/", async Task<Ok<PostPage>> (string? before, int? limit, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ListPosts(before, limit), ct)))
            .WithName("listPosts")
            .WithSummary("The feed: every post, newest first, a page at a time")
            .ProducesProblems(400);

        posts.MapGet("/{id:guid}", async Task<Ok<PostDto>> (Guid id, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetPost(id), ct)))
            .WithName("getPost")
            .WithSummary("A post")
            .ProducesProblems(404);

        // Idempotent per user: a repeat answers 200 with the unchanged count.
        posts.MapPost("/{id:guid}/likes", async Task<Ok<LikeResult>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ChangeLike(user.UserId(), id, Like: true), ct)))
            .WithName("likePost")
            .WithSummary("Like a post (idempotent)")
            .ProducesProblems(404, 429);

        posts.MapDelete("/{id:guid}/likes", async Task<Ok<LikeResult>> (Guid id, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new ChangeLike(user.UserId(), id, Like: false), ct)))
            .WithName("unlikePost")
            .WithSummary("Unlike a post (idempotent)")
            .ProducesProblems(404, 429);

        posts.MapPost("/{id:guid}/comments", async Task<Created<CommentResult>> (Guid id, CommentRequest body, ClaimsPrincipal user, IMediator mediator, CancellationToken ct) =>
        {
            var result = await mediator.Send(new CommentOnPost(user.UserId(), id, body.Content), ct);
            return TypedResults.Created($"/api/posts/{id}/comments?after={result.Comment.Sequence - 1}&limit=1", result);
        })
            .WithName("commentOnPost")
            .WithSummary("Comment on a post")
            .ProducesProblems(400, 404, 429);

        posts.MapGet("/{id:guid}/comments", async Task<Ok<CommentPage>> (Guid id, long? after, int? limit, IMediator mediator, CancellationToken ct) =>
            TypedResults.Ok(await mediator.Send(new GetComments(id, after, limit), ct)))
            .WithName("getComments")
            .WithSummary("A page of a post's comments")
            .ProducesProblems(400, 404);
    }
}
