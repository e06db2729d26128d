namespace EventChat.Application;

/// <summary>The server-to-client event names of the wire contract, spelled once.</summary>
public static class ClientEvents
{
    public const string MessageSent = "messageSent";
    public const string NewMessage = "newMessage";
    public const string ReceiveMessage = "receiveMessage";
    public const string MessageRead = "messageRead";
    public const string MessageEdited = "messageEdited";
    public const string MessageDeleted = "messageDeleted";
    public const string ConversationErased = "conversationErased";
    public const string UserTyping = "userTyping";
    public const string TypingIndicator = "typingIndicator";
    public const string OnlineUsers = "onlineUsers";
    public const string UserOnline = "userOnline";
    public const string UserOffline = "userOffline";
    public const string StreamChat = "stream-chat";
    public const string StreamViewers = "stream-viewers";
    public const string StreamEnded = "stream-ended";
    public const string StreamMessageRemoved = "stream-message-removed";
    public const string PostLiked = "post-liked";
    public const string PostUnliked = "post-unliked";
    public const string PostCommented = "post-commented";
    public const string Error = "error";
}
