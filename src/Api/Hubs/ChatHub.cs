using EventChat.Api.Auth;
using EventChat.Application.Conversations;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

public sealed record SendMessageRequest(Guid? ReceiverId, Guid? ConversationId, string? Content, string? MessageType, string? ClientMessageId)
{
    public SendMessage ToCommand(Guid senderId) => new(senderId, ReceiverId, ConversationId, Content, MessageType, ClientMessageId);
}

public sealed record MessageReadRequest(Guid ConversationId, Guid MessageId);

/// <summary>
/// The real-time face of the contract. It stays thin: each method binds the caller into a command and
/// sends it through the mediator; <see cref="HubErrorFilter"/> turns failures into <c>error</c> events.
/// Pushes go to users (all their connections) through <see cref="SignalRNotifier"/>.
/// </summary>
[Authorize]
public sealed class ChatHub(IMediator mediator) : Hub
{
    public const string Path = "/hubs/chat";

    private Guid CallerId => Context.User!.UserId();

    [HubMethodName("sendMessage")]
    public async Task<MessageDelivery> SendMessage(SendMessageRequest request) =>
        await mediator.Send(request.ToCommand(CallerId), Context.ConnectionAborted);

    [HubMethodName("messageRead")]
    public async Task<ReadResult> MessageRead(MessageReadRequest request) =>
        await mediator.Send(new MarkRead(CallerId, request.ConversationId, request.MessageId), Context.ConnectionAborted);
}
