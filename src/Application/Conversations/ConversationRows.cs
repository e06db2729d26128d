using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql.Functions;
using static EventChat.Application.MartenTables;

namespace EventChat.Application.Conversations;

/// <summary>What makes two attempts the same send: one sender's clientMessageId in one conversation.</summary>
public readonly record struct RetryKey(Guid ConversationId, Guid SenderId, string ClientMessageId);

/// <summary>A conversation as a batch of sends reads it: its stream's version, its state and its stored view, all of one moment.</summary>
public sealed record ConversationAt(long Version, Conversation State, ConversationView View);

/// <summary>
/// The rows a batch of sends reads and writes, in SQL against Marten's own tables: the conversation stream and its
/// events, the documents Marten's inline projections write for them (the <see cref="Conversation"/> snapshot,
/// <see cref="ConversationView"/>, <see cref="MessageView"/>), the search rows and new data keys. Written here rather
/// than through a Marten session so that a batch is one round trip, <c>begin</c> to <c>commit</c>, and reads nothing.
/// The documents are the projections' own functions applied to the same events, serialised by Marten's serializer, so
/// a rebuild writes the same rows (the Rebuilds and SendPath tests compare them); a Marten upgrade that changes these
/// tables fails those tests, and what it names of Marten's is spelled in <see cref="MartenTables"/>, which <c>MartenTableNames</c> checks.
/// </summary>
public sealed class ConversationRows(IDocumentStore store)
{
    /// <summary>SQLSTATEs of the batch's own guards: an earlier attempt of a send is stored; a data key was destroyed.</summary>
    private const string RetryStored = "EC001", KeyDestroyed = "EC002";

    private readonly Marten.Storage.IMartenDatabase database = store.Storage.Database;
    private readonly ISerializer json = store.Options.Serializer();
    private readonly string schema = store.Options.DatabaseSchemaName;
    private readonly MartenTables tables = new(store);
    private readonly Marten.Events.EventGraph eventTypes = (Marten.Events.EventGraph)store.Options.Events;

    /// <summary>
    /// The guard a batch raises to roll itself back. <c>raise</c> is a statement, so a function wraps it; the batch
    /// calls it with the condition that must hold.
    /// </summary>
    public static void AddGuardFunction(StoreOptions opts) =>
        // Spelled as pg_get_functiondef prints it, so that a restart finds no difference to migrate.
        opts.Storage.ExtendedSchemaObjects.Add(Function.ForSql($"""
            CREATE OR REPLACE FUNCTION {opts.DatabaseSchemaName}.eventchat_require(holds boolean, code text, message text)
             RETURNS void
             LANGUAGE plpgsql
            AS $function$
            begin
              if not holds then raise exception '%', message using errcode = code; end if;
            end;
            $function$;
            """));

    /// <summary>
    /// The batch met a write it did not decide on: another writer appended to one of its streams first (a version
    /// mismatch, or the same new version or stream inserted), an earlier attempt of one of its sends is stored, or a
    /// key it sealed with was destroyed. Nothing was written; deciding again on what is committed settles it.
    /// </summary>
    public static bool MetAnotherWrite(Exception e) =>
        e is PostgresException { SqlState: MartenTables.UnexpectedVersionSqlState or RetryStored or KeyDestroyed }
            or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: MartenTables.EventsVersionKey or MartenTables.StreamsKey };

    public async Task<NpgsqlConnection> Open(CancellationToken ct)
    {
        var connection = database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>
    /// In one round trip: each conversation that exists, as of one moment; its authors' live keys; and the messages that
    /// <paramref name="retries"/> already stored.
    /// </summary>
    public async Task<(Dictionary<Guid, ConversationAt> Conversations, List<DataKey> Keys, Dictionary<RetryKey, MessageView> Stored)> Read(
        NpgsqlConnection connection, Guid[] ids, RetryKey[] retries, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        // One statement, so one snapshot: the inline projections commit with the events, so the version and both
        // documents agree.
        Add(batch, $"""
            select s.{StreamsId}, s.{StreamsVersion}, c.{DocumentData}, v.{DocumentData} from {tables.Streams} s
            join {tables.Documents<Conversation>()} c on c.{DocumentId} = s.{StreamsId} join {tables.Documents<ConversationView>()} v on v.{DocumentId} = s.{StreamsId}
            where s.{StreamsId} = any($1)
            """, Uuids(ids));
        Add(batch, $"select {DocumentData} from {tables.Documents<DataKey>()} where conversation_id = any($1) and {DocumentData} ->> 'erasedAt' is null", Uuids(ids));
        Add(batch, $"""
            select k.c, k.s, k.id, m.{DocumentData} from {tables.Documents<MessageView>()} m
            join unnest($1, $2, $3) as k(c, s, id) on m.conversation_id = k.c and m.sender_id = k.s and m.{DocumentData} ->> 'clientMessageId' = k.id
            """, Uuids(retries.Select(r => r.ConversationId)), Uuids(retries.Select(r => r.SenderId)), Texts(retries.Select(r => r.ClientMessageId)));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var conversations = new Dictionary<Guid, ConversationAt>();
        while (await reader.ReadAsync(ct))
            conversations[reader.GetGuid(0)] = new(reader.GetInt64(1), Document<Conversation>(reader, 2), Document<ConversationView>(reader, 3));
        await reader.NextResultAsync(ct);
        var keys = new List<DataKey>();
        while (await reader.ReadAsync(ct))
            keys.Add(Document<DataKey>(reader, 0));
        await reader.NextResultAsync(ct);
        var stored = new Dictionary<RetryKey, MessageView>();
        while (await reader.ReadAsync(ct))
            stored[new(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2))] = Document<MessageView>(reader, 3);
        return (conversations, keys, stored);
    }

    // Each column's stream closed before the next is read: a reader allows one open at a time.
    private T Document<T>(NpgsqlDataReader reader, int column)
    {
        using var stream = reader.GetStream(column);
        return json.FromJson<T>(stream);
    }

    /// <summary>One transaction's statements, sent together with <see cref="Commit"/>.</summary>
    public Batch Begin(NpgsqlConnection connection) => new(this, connection);

    public sealed class Batch : IAsyncDisposable
    {
        private readonly ConversationRows rows;
        private readonly NpgsqlBatch batch;
        private readonly List<NpgsqlBatchCommand> documents = [];

        internal Batch(ConversationRows rows, NpgsqlConnection connection)
        {
            (this.rows, batch) = (rows, new NpgsqlBatch(connection));
            Add(batch, "begin");
        }

        /// <summary>
        /// Locks the streams' rows, as every other writer does before it appends (Marten's exclusive fetch), and in id
        /// order. Without it, an append here and an edit or read receipt there could each insert the same new version and
        /// then wait for the other's lock: a deadlock where there should be a conflict.
        /// </summary>
        public void Lock(IEnumerable<Guid> streamIds) =>
            Add(batch, $"select {StreamsId} from {rows.tables.Streams} where {StreamsId} = any($1) order by {StreamsId} for update", Uuids(streamIds));

        /// <summary>
        /// Appends to the stream only if it is still at <paramref name="expectedVersion"/> (0: it does not exist yet);
        /// otherwise the batch fails with <see cref="MetAnotherWrite"/>. Call in stream id order, so that two batches
        /// that share streams wait for each other rather than deadlock.
        /// </summary>
        public void Append(Guid streamId, long expectedVersion, IReadOnlyList<object> appended)
        {
            var mappings = appended.Select(e => rows.eventTypes.EventMappingFor(e.GetType())).ToList();
            Add(batch, $"select {rows.tables.QuickAppend}($1, 'conversation', '*DEFAULT*', $2, $3, $4, $5, $6, $7)",
                new NpgsqlParameter<Guid> { TypedValue = streamId },
                Uuids(appended.Select(_ => Guid.CreateVersion7())),
                Texts(mappings.Select(m => m.EventTypeName)),
                Texts(mappings.Select(m => m.DotNetTypeName)),
                new NpgsqlParameter { Value = appended.Select(rows.json.ToJson).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
                new NpgsqlParameter { Value = appended.Select(_ => (byte[]?)null).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
                new NpgsqlParameter<long> { TypedValue = expectedVersion });
        }

        /// <summary>Fails the batch if any of these sends was stored by an earlier attempt. Call before <see cref="Append"/>, so a failure uses up no event sequence numbers.</summary>
        public void RequireFirstAttempts(IReadOnlyCollection<RetryKey> keys)
        {
            if (keys.Count == 0)
                return;
            Add(batch, $"""
                select {rows.schema}.eventchat_require(not exists(select 1 from {rows.tables.Documents<MessageView>()} m
                  join unnest($1, $2, $3) as k(c, s, id) on m.conversation_id = k.c and m.sender_id = k.s and m.{DocumentData} ->> 'clientMessageId' = k.id),
                  '{RetryStored}', 'an earlier attempt of a send in this batch is stored')
                """, Uuids(keys.Select(r => r.ConversationId)), Uuids(keys.Select(r => r.SenderId)), Texts(keys.Select(r => r.ClientMessageId)));
        }

        /// <summary>Fails the batch if any of these keys has been destroyed since it was read. Call before <see cref="Append"/>.</summary>
        public void RequireLive(IReadOnlyCollection<Guid> keyIds)
        {
            if (keyIds.Count == 0)
                return;
            Add(batch, $"""
                select {rows.schema}.eventchat_require((select count(*) from {rows.tables.Documents<DataKey>()} where {DocumentId} = any($1) and {DocumentData} ->> 'erasedAt' is null) = $2,
                  '{KeyDestroyed}', 'a data key was destroyed')
                """, Uuids(keyIds), new NpgsqlParameter<long> { TypedValue = keyIds.Count });
        }

        /// <summary>The conversation's snapshot and view as of <paramref name="version"/>, what its inline projections would write.</summary>
        public void Conversation(Conversation state, ConversationView view, long version)
        {
            Upsert(state.Id, state, version);
            Upsert(view.Id, view, version);
        }

        /// <summary>A new message's view, as stored (sealed), and its search row from the plain text.</summary>
        public void NewMessage(MessageView stored, string plainText)
        {
            documents.Add(Command($"""
                insert into {rows.tables.Documents<MessageView>()} ({DocumentId}, {DocumentData}, {DocumentVersion}, {DocumentDotNetType}, {DocumentLastModified}, conversation_id, sequence, deleted_at, sender_id)
                values ($1, $2, 1, $3, transaction_timestamp(), $4, $5, null, $6)
                on conflict ({DocumentId}) do update set {DocumentData} = excluded.{DocumentData}, {DocumentVersion} = excluded.{DocumentVersion}, {DocumentLastModified} = excluded.{DocumentLastModified},
                  conversation_id = excluded.conversation_id, sequence = excluded.sequence, deleted_at = excluded.deleted_at, sender_id = excluded.sender_id
                """, new NpgsqlParameter<Guid> { TypedValue = stored.Id }, Json(stored), Text(typeof(MessageView).FullName!),
                new NpgsqlParameter<Guid> { TypedValue = stored.ConversationId }, new NpgsqlParameter<long> { TypedValue = stored.Sequence },
                new NpgsqlParameter<Guid> { TypedValue = stored.SenderId }));
            documents.Add(Command(MessageSearchIndex.InsertSql(rows.schema),
                new NpgsqlParameter<Guid> { TypedValue = stored.Id }, new NpgsqlParameter<Guid> { TypedValue = stored.ConversationId },
                new NpgsqlParameter<Guid> { TypedValue = stored.SenderId }, Text(plainText)));
        }

        public void NewKey(DataKey key) =>
            documents.Add(Command($"""
                insert into {rows.tables.Documents<DataKey>()} ({DocumentId}, {DocumentData}, {DocumentDotNetType}, {DocumentLastModified}, conversation_id, user_id)
                values ($1, $2, $3, transaction_timestamp(), $4, $5)
                """, new NpgsqlParameter<Guid> { TypedValue = key.Id }, Json(key), Text(typeof(DataKey).FullName!),
                new NpgsqlParameter<Guid> { TypedValue = key.ConversationId }, new NpgsqlParameter<Guid> { TypedValue = key.UserId }));

        /// <summary>Sends everything, the appends and guards first, and commits: one round trip.</summary>
        public async Task Commit(CancellationToken ct)
        {
            foreach (var command in documents)
                batch.BatchCommands.Add(command);
            Add(batch, "commit");
            await batch.ExecuteNonQueryAsync(ct);
        }

        private void Upsert<T>(Guid id, T document, long version) where T : notnull =>
            documents.Add(Command($"""
                insert into {rows.tables.Documents<T>()} ({DocumentId}, {DocumentData}, {DocumentVersion}, {DocumentDotNetType}, {DocumentLastModified})
                values ($1, $2, $3, $4, transaction_timestamp())
                on conflict ({DocumentId}) do update set {DocumentData} = excluded.{DocumentData}, {DocumentVersion} = excluded.{DocumentVersion},
                  {DocumentDotNetType} = excluded.{DocumentDotNetType}, {DocumentLastModified} = excluded.{DocumentLastModified}
                """, new NpgsqlParameter<Guid> { TypedValue = id }, Json(document), new NpgsqlParameter<long> { TypedValue = version },
                Text(typeof(T).FullName!)));

        private NpgsqlParameter Json(object document) => new() { Value = rows.json.ToJson(document), NpgsqlDbType = NpgsqlDbType.Jsonb };

        public ValueTask DisposeAsync() => batch.DisposeAsync();
    }

    private static void Add(NpgsqlBatch batch, string sql, params NpgsqlParameter[] parameters) => batch.BatchCommands.Add(Command(sql, parameters));

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Uuids(IEnumerable<Guid> ids) => new NpgsqlParameter<Guid[]> { TypedValue = [.. ids] };

    private static NpgsqlParameter Texts(IEnumerable<string> texts) => new NpgsqlParameter<string[]> { TypedValue = [.. texts] };

    private static NpgsqlParameter Text(string text) => new NpgsqlParameter<string> { TypedValue = text };
}
