namespace EventChat.Application;

/// <summary>The names of the real-time groups (the seed's rooms) that clients join, spelled once.</summary>
public static class RealtimeGroups
{
    public static string Conversation(Guid conversationId) => $"conversation_{conversationId}";

    public static string Stream(Guid sessionId) => $"stream_{sessionId}";

    public static string Post(Guid postId) => $"post_{postId}";

    /// <summary>Every connection of one user: the hub adds each on connect, and only the server does.</summary>
    public static string User(Guid userId) => $"user_{userId}";
}
