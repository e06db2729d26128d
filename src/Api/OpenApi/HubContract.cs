using System.Reflection;
using EventChat.Api.Hubs;
using EventChat.Application;
using EventChat.Application.Conversations;
using EventChat.Application.Posts;
using EventChat.Application.Privacy;
using EventChat.Application.Realtime;
using EventChat.Application.Streams;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.OpenApi;

/// <summary>
/// The hub's contract as types, for the AsyncAPI document (<see cref="AsyncApiDocument"/>) and for the OpenAPI
/// document's schemas, which both share. Methods are read from <see cref="ChatHub"/> itself, so a new one is described
/// without editing this; events are listed here, since SignalR has no declaration of what a server sends. A test checks
/// that this list is every <see cref="ClientEvents"/> name.
/// </summary>
public static class HubContract
{
    /// <param name="Result">Null for a method that answers nothing.</param>
    /// <param name="PayloadOptional">The method may be called with no argument, or a null one.</param>
    public sealed record Method(string Name, Type Request, Type? Result, bool PayloadOptional);

    /// <param name="Audience">Who receives it.</param>
    public sealed record Event(string Name, Type Payload, string Audience);

    // Called bare by Socket.IO-style clients (PayloadOptionalJsonHubProtocol), as docs/api.md says.
    private static readonly HashSet<string> OptionalPayloads = ["getOnlineUsers", "sync"];

    public static IReadOnlyList<Method> Methods { get; } =
    [
        .. typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(method => (method, name: method.GetCustomAttribute<HubMethodNameAttribute>()?.Name))
            .Where(m => m.name is not null)
            .Select(m => new Method(m.name!, m.method.GetCustomAttribute<HubRequestAttribute>()!.RequestType,
                m.method.ReturnType.IsGenericType ? m.method.ReturnType.GetGenericArguments()[0] : null, OptionalPayloads.Contains(m.name!)))
            .OrderBy(m => m.Name, StringComparer.Ordinal),
    ];

    public static IReadOnlyList<Event> Events { get; } =
    [
        new(ClientEvents.MessageSent, typeof(MessageDelivery), "every connection of the sender (status sent)"),
        new(ClientEvents.NewMessage, typeof(MessageDelivery), "every connection of every other participant (status delivered)"),
        new(ClientEvents.ReceiveMessage, typeof(ReceivedMessage), "every connection of every other participant, right after newMessage"),
        new(ClientEvents.MessageRead, typeof(ReadReceipt), "every participant, the reader included"),
        new(ClientEvents.MessageEdited, typeof(MessageChanged), "every participant"),
        new(ClientEvents.MessageDeleted, typeof(MessageChanged), "every participant"),
        new(ClientEvents.ConversationErased, typeof(ConversationErased), "every participant, when the conversation's content is erased"),
        new(ClientEvents.UserTyping, typeof(TypingChanged), "the other participants"),
        new(ClientEvents.TypingIndicator, typeof(TypingChanged), "the conversation's room (joinRoom), less the typist"),
        new(ClientEvents.OnlineUsers, typeof(OnlineUsersAnswer), "the connection that called getOnlineUsers"),
        new(ClientEvents.UserOnline, typeof(PresenceChanged), "the user's contacts, when the user's first connection opens"),
        new(ClientEvents.UserOffline, typeof(PresenceChanged), "the user's contacts, when the user's last connection closes"),
        new(ClientEvents.StreamChat, typeof(StreamChat), "the live session's room (join-stream)"),
        new(ClientEvents.StreamViewers, typeof(StreamViewerCount), "the live session's room"),
        new(ClientEvents.StreamEnded, typeof(StreamEnded), "the live session's room"),
        new(ClientEvents.StreamMessageRemoved, typeof(StreamMessageTakenDown), "the live session's room"),
        new(ClientEvents.PostLiked, typeof(PostLikeChanged), "the post's followers (join-post) and its author"),
        new(ClientEvents.PostUnliked, typeof(PostLikeChanged), "the post's followers and its author"),
        new(ClientEvents.PostCommented, typeof(CommentResult), "the post's followers and its author"),
        new(ClientEvents.Error, typeof(HubErrorFilter.ErrorEvent), "the connection whose call failed, or that is refused or closed (code as on REST, or token_expired)"),
    ];

    /// <summary>Every type a hub message carries, each of which the OpenAPI document holds as a named schema.</summary>
    public static IEnumerable<Type> Types =>
        Methods.SelectMany(method => new[] { method.Request, method.Result }).Concat(Events.Select(e => e.Payload)).OfType<Type>().Distinct();
}
