namespace EventChat.Application;

/// <summary>The names of the real-time groups (the seed's rooms) that clients join, spelled once.</summary>
public static class RealtimeGroups
{
    public static string Conversation(Guid conversationId) => $"conversation_{conversationId}";

    public static string Stream(Guid sessionId) => $"stream_{sessionId}";

    public static string Post(Guid postId) => $"post_{postId}";
}
