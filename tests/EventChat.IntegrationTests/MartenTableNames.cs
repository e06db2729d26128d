using EventChat.Application;
using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventChat.IntegrationTests;

/// <summary>
/// EventChat's own SQL (the sync feed, the send path's <c>ConversationRows</c>, search, webhook replays, the projection
/// lag) reads and writes Marten's tables by the names in <see cref="MartenTables"/>. Marten does not promise those names,
/// and a change would not fail the SQL loudly everywhere: a renamed event type or JSON key only makes a query find
/// nothing. These tests check every name against the real database and Marten's own mapping, so an upgrade that
/// changes one fails here and says which.
/// </summary>
public sealed class MartenTableNames
{
    // The documents ConversationRows writes with SQL (search reads the first two).
    public static readonly TheoryData<Type> DocumentsWritten = [typeof(MessageView), typeof(ConversationView), typeof(Conversation), typeof(DataKey)];

    [Fact]
    public async Task Every_event_table_and_column_EventChat_reads_exists()
    {
        var (schema, connection) = await Open(events: true);
        await using var _ = connection;

        foreach (var (table, columns) in MartenTables.ColumnsRead)
        {
            var present = await Columns(connection, schema, table);
            var missing = columns.Except(present).ToList();
            Assert.True(present.Count > 0, $"Marten no longer has the table {schema}.{table}; update MartenTables and the SQL that uses it.");
            Assert.True(missing.Count == 0, $"Marten's {schema}.{table} no longer has the column(s) {string.Join(", ", missing)}; update MartenTables and the SQL that uses it.");
        }
    }

    [Theory]
    [MemberData(nameof(DocumentsWritten))]
    public async Task Each_document_table_is_where_Marten_keeps_the_documents_and_has_the_columns_written(Type document)
    {
        var store = (await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>();
        var (schema, connection) = await Open(events: false);
        await using var _ = connection;

        var table = MartenTables.DocumentTable(document);
        var kept = store.Options.FindOrResolveDocumentType(document).TableName.Name;
        Assert.True(kept == table, $"Marten now keeps {document.Name} documents in {kept}, not {table}; update MartenTables.");
        var missing = MartenTables.DocumentColumns.Except(await Columns(connection, schema, table)).ToList();
        Assert.True(missing.Count == 0, $"Marten's {schema}.{table} no longer has the column(s) {string.Join(", ", missing)}; update MartenTables and ConversationRows.");
    }

    [Fact]
    public async Task The_append_function_refuses_a_stream_that_moved_on_with_the_SQLSTATE_ConversationRows_retries_on()
    {
        var tables = new MartenTables((await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>());
        var (_, connection) = await Open(events: true);
        await using var __ = connection;
        await using var transaction = await connection.BeginTransactionAsync();
        var stream = Guid.CreateVersion7();
        var type = tables.StoredName(typeof(ParticipantLeft));
        Task Append(long expectedVersion) => new NpgsqlCommand(
            $"select {tables.QuickAppend}($1, 'conversation', '*DEFAULT*', $2, $3, $4, array['{{}}']::jsonb[], array[null]::bytea[], $5)", connection, transaction)
        {
            Parameters =
            {
                new() { Value = stream }, new() { Value = new[] { Guid.CreateVersion7() } }, new() { Value = new[] { type } },
                new() { Value = new[] { typeof(ParticipantLeft).FullName } }, new() { Value = expectedVersion },
            },
        }.ExecuteNonQueryAsync();

        await Append(0);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Append(0));

        Assert.True(refused.SqlState == MartenTables.UnexpectedVersionSqlState,
            $"{tables.QuickAppend} now refuses a stale expected version with {refused.SqlState}, not {MartenTables.UnexpectedVersionSqlState}; update MartenTables.");
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task The_keys_a_racing_append_breaks_are_named_as_ConversationRows_expects()
    {
        var (schema, connection) = await Open(events: true);
        await using var _ = connection;
        await using var query = new NpgsqlCommand("""
            select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace n on n.oid = i.relnamespace
            where x.indisunique and n.nspname = $1 and i.relname = any($2)
            """, connection)
        {
            Parameters = { new() { Value = schema }, new() { Value = new[] { MartenTables.EventsVersionKey, MartenTables.StreamsKey } } },
        };
        var present = new List<string>();
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                present.Add(reader.GetString(0));

        Assert.True(present.Contains(MartenTables.EventsVersionKey), $"Marten no longer has the unique index {MartenTables.EventsVersionKey}; update MartenTables.");
        Assert.True(present.Contains(MartenTables.StreamsKey), $"Marten no longer has the unique index {MartenTables.StreamsKey}; update MartenTables.");
    }

    // The names of events already stored: if Marten's mapping ever names a type differently, the feed would ask for the
    // new name and no longer find a single membership change stored under the old one.
    [Theory]
    [InlineData(typeof(ConversationStarted), "conversation_started")]
    [InlineData(typeof(ParticipantAdded), "participant_added")]
    [InlineData(typeof(ParticipantRemoved), "participant_removed")]
    [InlineData(typeof(ParticipantLeft), "participant_left")]
    public async Task Marten_still_names_each_membership_event_as_the_stored_events_are_named(Type eventType, string stored)
    {
        var marten = new MartenTables((await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>());

        Assert.True(marten.StoredName(eventType) == stored,
            $"Marten now stores {eventType.Name} as '{marten.StoredName(eventType)}', but existing databases hold it as '{stored}'; the sync feed would miss those.");
    }

    [Fact]
    public async Task The_json_keys_the_feed_filters_on_are_the_ones_Marten_writes()
    {
        var serializer = (await EventChatServer.Instance).App.Services.GetRequiredService<IDocumentStore>().Options.Serializer();
        var started = Conversation.StartGroup(Guid.CreateVersion7(), Guid.CreateVersion7(), [Guid.CreateVersion7()], "Team", DateTimeOffset.UnixEpoch);
        var added = Conversation.Create(started).AddParticipants(started.StartedBy, [Guid.CreateVersion7()], DateTimeOffset.UnixEpoch)[0];

        Assert.True(serializer.ToJson(started).Contains($"\"{MartenTables.ParticipantIdsKey}\":", StringComparison.Ordinal),
            $"Marten no longer writes ConversationStarted.ParticipantIds as '{MartenTables.ParticipantIdsKey}'; update MartenTables.");
        Assert.True(serializer.ToJson(added).Contains($"\"{MartenTables.UserIdKey}\":", StringComparison.Ordinal),
            $"Marten no longer writes ParticipantAdded.UserId as '{MartenTables.UserIdKey}'; update MartenTables.");
    }

    private static async Task<(string Schema, NpgsqlConnection Connection)> Open(bool events)
    {
        var server = await EventChatServer.Instance;
        var options = server.App.Services.GetRequiredService<IDocumentStore>().Options;
        var connection = new NpgsqlConnection(server.App.Configuration.GetConnectionString("EventChat"));
        await connection.OpenAsync();
        return (events ? options.Events.DatabaseSchemaName : options.DatabaseSchemaName, connection);
    }

    private static async Task<List<string>> Columns(NpgsqlConnection connection, string schema, string table)
    {
        await using var query = new NpgsqlCommand("select column_name from information_schema.columns where table_schema = $1 and table_name = $2", connection)
        {
            Parameters = { new() { Value = schema }, new() { Value = table } },
        };
        var present = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            present.Add(reader.GetString(0));
        return present;
    }
}
