using EventChat.Projections;
using Marten;

namespace EventChat.Application.Privacy;

/// <summary>
/// The rows of the full-text index (<see cref="MessageSearch"/>), written in the command's transaction from the
/// plaintext, which travels as a parameter and is not stored. The lexemes are derived from the plaintext; that is the
/// privacy price of server-side search (docs/privacy.md, "Search").
/// </summary>
public static class MessageSearchIndex
{
    /// <summary>A new message's row; its parameters are the message id, conversation id, sender id and plain text.</summary>
    public static string InsertSql(string schema) =>
        $"insert into {schema}.{MessageSearch.Table} (message_id, conversation_id, sender_id, vector) values ($1, $2, $3, to_tsvector('{MessageSearch.Config}'::regconfig, $4))";

    public static void Replace(IDocumentSession session, Guid messageId, string text) =>
        session.QueueSqlCommand($"update {MessageSearch.Table} set vector = to_tsvector('{MessageSearch.Config}'::regconfig, ?) where message_id = ?", text, messageId);

    public static void Forget(IDocumentSession session, Guid messageId) =>
        session.QueueSqlCommand($"delete from {MessageSearch.Table} where message_id = ?", messageId);

    public static void ForgetConversation(IDocumentSession session, Guid conversationId) =>
        session.QueueSqlCommand($"delete from {MessageSearch.Table} where conversation_id = ?", conversationId);

    public static void ForgetSender(IDocumentSession session, Guid senderId) =>
        session.QueueSqlCommand($"delete from {MessageSearch.Table} where sender_id = ?", senderId);
}
