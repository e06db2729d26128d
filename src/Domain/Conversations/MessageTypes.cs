namespace EventChat.Domain.Conversations;

/// <summary>The contract's message types, stored as these exact strings in events.</summary>
public static class MessageTypes
{
    public const string Text = "text";
    public const string System = "system";

    public static readonly IReadOnlySet<string> All =
        new HashSet<string>(["text", "image", "file", "audio", "video", System], StringComparer.Ordinal);

    public static readonly IReadOnlyList<string> Sendable = [.. All.Where(t => t != System)];

    /// <summary>A message without a type is text, or a file when it carries attachments.</summary>
    public static string DefaultFor<T>(IReadOnlyCollection<T> attachments) => attachments.Count > 0 ? "file" : Text;

    /// <summary>Types a user may send; <c>system</c> is reserved for messages the server writes.</summary>
    public static bool IsSendable(string type) => All.Contains(type) && type != System;
}
