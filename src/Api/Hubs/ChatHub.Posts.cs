using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EventChat.Application;
using EventChat.Application.Posts;
using Microsoft.AspNetCore.SignalR;
using static EventChat.Api.Hubs.HubPayload;

namespace EventChat.Api.Hubs;

public sealed record PostRequest([property: Required] Guid? PostId);

public sealed record CommentPostRequest([property: Required] Guid? PostId, [property: Required] string? Content);

public sealed record PostRoomAnswer(Guid PostId);

// Posts are public to every signed-in user: anyone may like, comment on and follow any post.
public sealed partial class ChatHub
{
    [HubMethodName("like-post"), HubRequest(typeof(PostRequest))]
    public async Task<LikeResult> LikePost(JsonElement? payload) =>
        await Mediator.Send(new ChangeLike(CallerId, Bind<PostRequest>(payload).PostId ?? Guid.Empty, Like: true), Context.ConnectionAborted);

    [HubMethodName("unlike-post"), HubRequest(typeof(PostRequest))]
    public async Task<LikeResult> UnlikePost(JsonElement? payload) =>
        await Mediator.Send(new ChangeLike(CallerId, Bind<PostRequest>(payload).PostId ?? Guid.Empty, Like: false), Context.ConnectionAborted);

    [HubMethodName("comment-post"), HubRequest(typeof(CommentPostRequest))]
    public async Task<CommentResult> CommentPost(JsonElement? payload)
    {
        var request = Bind<CommentPostRequest>(payload);
        return await Mediator.Send(new CommentOnPost(CallerId, request.PostId ?? Guid.Empty, request.Content), Context.ConnectionAborted);
    }

    /// <summary>
    /// Follows a post's updates in <c>post_{id}</c>. The author is left out of the group: every connection of
    /// theirs gets their post's updates anyway, and being in both would deliver each update twice.
    /// </summary>
    [HubMethodName("join-post"), HubRequest(typeof(PostRequest))]
    public async Task<PostRoomAnswer> JoinPost(JsonElement? payload)
    {
        var postId = Required(Bind<PostRequest>(payload).PostId, "postId");
        var authorId = await Mediator.Send(new GetPostAuthor(postId), Context.ConnectionAborted);
        if (authorId != CallerId)
            await Groups.AddToGroupAsync(Context.ConnectionId, RealtimeGroups.Post(postId));
        return new(postId);
    }

    // Leaving a post one does not follow (or that does not exist) is a harmless no-op, so it needs no check.
    [HubMethodName("leave-post"), HubRequest(typeof(PostRequest))]
    public async Task<PostRoomAnswer> LeavePost(JsonElement? payload)
    {
        var postId = Required(Bind<PostRequest>(payload).PostId, "postId");
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RealtimeGroups.Post(postId));
        return new(postId);
    }
}
