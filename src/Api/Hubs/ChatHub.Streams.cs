using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EventChat.Application.Streams;
using Microsoft.AspNetCore.SignalR;
using static EventChat.Api.Hubs.HubPayload;

namespace EventChat.Api.Hubs;

public sealed record StreamRequest([property: Required] Guid? SessionId);

public sealed record StreamChatRequest([property: Required] Guid? SessionId, [property: Required] string? Content);

/// <summary>Live-session chat: watch (<c>join-stream</c>/<c>leave-stream</c>) and talk (<c>stream-chat</c>).</summary>
public sealed partial class ChatHub
{
    [HubMethodName("join-stream"), HubRequest(typeof(StreamRequest))]
    public async Task<JoinedStream> JoinStream(JsonElement? payload) =>
        await Mediator.Send(new JoinStream(CallerId, Bind<StreamRequest>(payload).SessionId ?? Guid.Empty, Context.ConnectionId), Context.ConnectionAborted);

    [HubMethodName("leave-stream"), HubRequest(typeof(StreamRequest))]
    public async Task<StreamViewerCount> LeaveStream(JsonElement? payload) =>
        await Mediator.Send(new LeaveStream(CallerId, Bind<StreamRequest>(payload).SessionId ?? Guid.Empty, Context.ConnectionId), Context.ConnectionAborted);

    [HubMethodName("stream-chat"), HubRequest(typeof(StreamChatRequest))]
    public async Task<StreamChat> StreamChat(JsonElement? payload)
    {
        var request = Bind<StreamChatRequest>(payload);
        return await Mediator.Send(new PostStreamChat(CallerId, request.SessionId ?? Guid.Empty, request.Content) { Turn = Turn }, Context.ConnectionAborted);
    }
}
