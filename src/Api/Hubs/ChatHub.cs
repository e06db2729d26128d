using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using EventChat.Api.Auth;
using EventChat.Application;
using EventChat.Application.Conversations;
using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using static EventChat.Api.Hubs.HubPayload;

namespace EventChat.Api.Hubs;

public sealed record SendMessageRequest(
    Guid? ReceiverId, Guid? ConversationId, string? Content, string? MessageType, string? ClientMessageId,
    IReadOnlyList<Guid>? AttachmentIds = null, Guid? ReplyToId = null)
{
    public SendMessage ToCommand(Guid senderId) =>
        new(senderId, ReceiverId, ConversationId, Content, MessageType, ClientMessageId, AttachmentIds, ReplyToId);
}

public sealed record MessageReadRequest([property: Required] Guid? ConversationId, [property: Required] Guid? MessageId);

public sealed record TypingRequest(Guid? ConversationId, Guid? ReceiverId);

public sealed record OnlineUsersRequest(IReadOnlyList<Guid>? UserIds);

public sealed record RoomRequest([property: Required] Guid? ConversationId);

public sealed record RoomAnswer(Guid ConversationId);

/// <summary>
/// The real-time face of the contract. It stays thin: each method binds the caller into a command and
/// sends it through the mediator; <see cref="HubErrorFilter"/> turns failures into <c>error</c> events.
/// Pushes go to users (all their connections) through <see cref="SignalRNotifier"/>.
/// </summary>
/// <remarks>Split by feature into partial files (ChatHub.*.cs); they share <see cref="Mediator"/> and <see cref="CallerId"/>.</remarks>
[Authorize]
public sealed partial class ChatHub(IMediator mediator, IPresence presence, TypingTracker typing, HubLimits limits, CallerTurn turn) : Hub
{
    public const string Path = "/hubs/chat";

    private IMediator Mediator => mediator;

    private CallerTurn Turn => turn;

    private Guid CallerId => Context.User!.UserId();

    public override async Task OnConnectedAsync()
    {
        if ((await presence.ConnectionsOf(CallerId)).Count >= limits.MaxConnectionsPerUser)
        {
            // Thrown, not Context.Abort(): SignalR then writes a close message carrying the text after the event and
            // tells the client not to reconnect, so the refusal reaches even a client that only watches its close
            // handler. An abort closes without a reason. SignalR's Error line for it is dropped (QuietHubRefusals).
            var refusal = $"You have {limits.MaxConnectionsPerUser} connections open already; close one first.";
            await Clients.Caller.SendAsync(ClientEvents.Error, new HubErrorFilter.ErrorEvent(refusal, "rate_limited", "connect"));
            throw new HubException(refusal);
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, RealtimeGroups.User(CallerId));
        if (await presence.Connected(CallerId, Context.ConnectionId))
            await mediator.Send(new AnnouncePresence(CallerId, Online: true));
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await typing.Disconnected(Context.ConnectionId);
        await mediator.Send(new StreamConnectionClosed(CallerId, Context.ConnectionId));
        if (await presence.Disconnected(CallerId, Context.ConnectionId))
            await mediator.Send(new AnnouncePresence(CallerId, Online: false));
    }

    [HubMethodName("sendMessage"), HubRequest(typeof(SendMessageRequest))]
    public async Task<MessageDelivery> SendMessage(JsonElement? payload) =>
        await mediator.Send(Bind<SendMessageRequest>(payload).ToCommand(CallerId) with { Turn = Turn }, Context.ConnectionAborted);

    [HubMethodName("messageRead"), HubRequest(typeof(MessageReadRequest))]
    public async Task<ReadResult> MessageRead(JsonElement? payload)
    {
        var request = Bind<MessageReadRequest>(payload);
        return await mediator.Send(new MarkRead(CallerId, request.ConversationId ?? Guid.Empty, request.MessageId ?? Guid.Empty), Context.ConnectionAborted);
    }

    [HubMethodName("typingStart"), HubRequest(typeof(TypingRequest))]
    public Task TypingStart(JsonElement? payload) => SetTyping(payload, isTyping: true);

    [HubMethodName("typingStop"), HubRequest(typeof(TypingRequest))]
    public Task TypingStop(JsonElement? payload) => SetTyping(payload, isTyping: false);

    [HubMethodName("getOnlineUsers"), HubRequest(typeof(OnlineUsersRequest))]
    public async Task<OnlineUsersAnswer> GetOnlineUsers(JsonElement? payload)
    {
        var request = BindOptional(payload, new OnlineUsersRequest(null));
        var answer = await mediator.Send(new GetOnlineUsers(CallerId, request.UserIds), Context.ConnectionAborted);
        await Clients.Caller.SendAsync(ClientEvents.OnlineUsers, answer);
        return answer;
    }

    [HubMethodName("joinRoom"), HubRequest(typeof(RoomRequest))]
    public async Task<RoomAnswer> JoinRoom(JsonElement? payload)
    {
        var conversationId = Required(Bind<RoomRequest>(payload).ConversationId, "conversationId");
        await mediator.Send(new GetParticipants(CallerId, conversationId), Context.ConnectionAborted);
        await Groups.AddToGroupAsync(Context.ConnectionId, RealtimeGroups.Conversation(conversationId));
        return new(conversationId);
    }

    // Leaving a room one is not in is a harmless no-op, so it needs no membership check.
    [HubMethodName("leaveRoom"), HubRequest(typeof(RoomRequest))]
    public async Task<RoomAnswer> LeaveRoom(JsonElement? payload)
    {
        var conversationId = Required(Bind<RoomRequest>(payload).ConversationId, "conversationId");
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, RealtimeGroups.Conversation(conversationId));
        return new(conversationId);
    }

    private async Task SetTyping(JsonElement? payload, bool isTyping)
    {
        var request = Bind<TypingRequest>(payload);
        await mediator.Send(new SetTyping(CallerId, request.ConversationId, request.ReceiverId, isTyping, Context.ConnectionId), Context.ConnectionAborted);
    }
}
