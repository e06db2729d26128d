using Marten;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace EventChat.Projections;

/// <summary>
/// The full-text search table and its configuration, spelled once so that the table, the rows written into it (the
/// Application's MessageSearchIndex, in the sending transaction) and the query that relies on it (SearchMessages)
/// cannot drift apart. The table is kept apart from the (encrypted) read models so that erasure can delete it: one row
/// per message with its <c>tsvector</c> (docs/privacy.md, "Search").
/// </summary>
public static class MessageSearch
{
    public const string Table = "eventchat_message_search";

    /// <summary>
    /// <c>english</c>: stemming ("running" finds "run", "messages" finds "message") and English stop words
    /// ("the", "a") are not indexed. Changing it rebuilds the index and changes what matches.
    /// </summary>
    public const string Config = "english";

    /// <summary>The indexed <c>tsvector</c>, for a query that names the search table <c>s</c>.</summary>
    public const string Vector = "s.vector";

    /// <summary>The table, created and kept up to date with Marten's own schema (a Weasel table in its schema).</summary>
    internal static void AddTable(StoreOptions opts)
    {
        var search = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        search.AddColumn<Guid>("message_id").AsPrimaryKey();
        search.AddColumn<Guid>("conversation_id").NotNull();
        search.AddColumn<Guid>("sender_id").NotNull();
        search.AddColumn("vector", "tsvector").NotNull();
        search.Indexes.Add(new IndexDefinition($"ix_{Table}_vector") { Method = IndexMethod.gin, Columns = ["vector"] }.WithoutPendingList());
        search.Indexes.Add(new IndexDefinition($"ix_{Table}_conversation") { Columns = ["conversation_id"] });
        search.Indexes.Add(new IndexDefinition($"ix_{Table}_sender") { Columns = ["sender_id"] });
        opts.Storage.ExtendedSchemaObjects.Add(search);
    }
}
