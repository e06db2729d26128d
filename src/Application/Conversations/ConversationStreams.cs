using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using JasperFx.Events;
using EventChat.Projections;
using Marten;

namespace EventChat.Application.Conversations;

/// <summary>Opening a conversation stream for a decision, shared by the commands that write to one.</summary>
public static class ConversationStreams
{
    /// <summary>The conversation's stream and state, locked against other writers (see <see cref="EventStreams.OpenExisting{T}"/>).</summary>
    public static Task<(IEventStream<Conversation> Stream, Conversation State)> OpenConversation(
        this IDocumentSession session, Guid conversationId, CancellationToken ct) =>
        session.OpenExisting<Conversation>(conversationId, "Conversation", ct);

    /// <summary>
    /// The stream of a message's conversation, locked, and the message as it stands under that lock (read
    /// again after locking, so a concurrent edit or delete is seen).
    /// </summary>
    public static async Task<(IEventStream<Conversation> Stream, Conversation State, MessageView Message)> OpenMessage(
        this IDocumentSession session, Guid messageId, CancellationToken ct)
    {
        var (stream, conversation) = await session.OpenExisting<Conversation>((await session.LoadMessage(messageId, ct)).ConversationId, "Message", ct);
        return (stream, conversation, await session.LoadMessage(messageId, ct));
    }
}
