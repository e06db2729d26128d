using Marten;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using static EventChat.Application.MartenTables;

namespace EventChat.Application.Webhooks;

/// <summary>One delivery of one event (or push request) to one webhook, as its log shows it.</summary>
public sealed record WebhookDelivery(
    Guid Id,
    Guid WebhookId,
    string EventType,
    Guid ConversationId,
    Guid? RecipientId,
    long Sequence,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? DeliveredAt,
    bool Replay);

/// <summary>
/// The deliveries still to make and the log of those made: a table of its own, written by <see cref="WebhookOutbox"/>
/// in the daemon's transaction and worked through by every node's dispatcher. A delivery is taken with a lease, so a
/// node that dies mid-delivery leaves it to be taken again (at least once), and only the oldest pending delivery of each
/// webhook's line (a conversation's events, or one person's push requests) can be taken, so each line arrives in order.
/// </summary>
public sealed class WebhookDeliveries(IDocumentStore store, TimeProvider clock)
{
    public const string Table = "eventchat_webhook_deliveries";
    public const string Pending = "pending", Delivered = "delivered", Parked = "parked", Skipped = "skipped";

    private readonly string _table = $"{store.Options.DatabaseSchemaName}.{Table}";

    public static void AddTable(StoreOptions opts)
    {
        var table = new Table(new PostgresqlObjectName(opts.DatabaseSchemaName, Table, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General));
        table.AddColumn<Guid>("id").AsPrimaryKey();
        table.AddColumn<Guid>("webhook_id").NotNull();
        // The order a webhook's deliveries keep: the conversation's id for its events, the recipient's for push requests.
        table.AddColumn<Guid>("line").NotNull();
        table.AddColumn<Guid>("conversation_id").NotNull();
        table.AddColumn<Guid>("recipient_id");
        table.AddColumn<long>("sequence").NotNull();
        table.AddColumn<string>("event_type").NotNull();
        table.AddColumn<string>("status").NotNull();
        table.AddColumn<int>("attempts").NotNull();
        table.AddColumn("next_attempt_at", "timestamp with time zone").NotNull();
        table.AddColumn("lease_until", "timestamp with time zone");
        table.AddColumn("created_at", "timestamp with time zone").NotNull();
        table.AddColumn("first_attempt_at", "timestamp with time zone");
        table.AddColumn("last_attempt_at", "timestamp with time zone");
        table.AddColumn<int>("last_status");
        table.AddColumn<string>("last_error");
        table.AddColumn("delivered_at", "timestamp with time zone");
        table.AddColumn<bool>("replay").NotNull();
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_line") { Columns = ["webhook_id", "line", "sequence"], Predicate = "status = 'pending'" });
        table.Indexes.Add(new IndexDefinition($"ix_{Table}_log") { Columns = ["webhook_id", "created_at"] });
        opts.Storage.ExtendedSchemaObjects.Add(table);
        opts.Schema.For<Webhook>();
    }

    /// <summary>For <see cref="IDocumentOperations.QueueSqlCommand(string, object[])"/>: a delivery of an event, due at once.</summary>
    public static string EnqueueSql(string table) =>
        $"insert into {table} (id, webhook_id, line, conversation_id, sequence, event_type, status, attempts, next_attempt_at, created_at, replay) " +
        $"values (?, ?, ?, ?, ?, ?, '{Pending}', 0, now(), now(), false)";

    /// <summary>
    /// A push request, due after the push window; none when one for the same person and conversation is still waiting
    /// untaken: that one goes out with the latest message and unread count, so a burst is one push.
    /// </summary>
    public static string EnqueuePushSql(string table) =>
        $"insert into {table} (id, webhook_id, line, conversation_id, recipient_id, sequence, event_type, status, attempts, next_attempt_at, created_at, replay) " +
        $"select ?, ?, ?, ?, ?, ?, '{WebhookEventTypes.PushRequested}', '{Pending}', 0, now() + ?::interval, now(), false " +
        $"where not exists (select 1 from {table} where webhook_id = ? and line = ? and conversation_id = ? and status = '{Pending}' " +
        $"and event_type = '{WebhookEventTypes.PushRequested}' and lease_until is null)";

    public string Name => _table;

    /// <summary>
    /// Takes up to <paramref name="limit"/> deliveries that are due and first in their line, leased to this node for
    /// <paramref name="lease"/> (longer than a receiver may take): if the node dies, another takes them after that.
    /// </summary>
    public async Task<IReadOnlyList<WebhookDelivery>> Take(int limit, TimeSpan lease, CancellationToken ct)
    {
        var sql = $"""
            with heads as (
              select distinct on (webhook_id, line) id, next_attempt_at, lease_until
              from {_table} where status = '{Pending}' order by webhook_id, line, sequence)
            update {_table} d set lease_until = @leaseUntil, attempts = d.attempts + 1,
              first_attempt_at = coalesce(d.first_attempt_at, @now), last_attempt_at = @now
            from (select id from heads where next_attempt_at <= @now and (lease_until is null or lease_until < @now) limit @limit) due
            where d.id = due.id and d.status = '{Pending}' and (d.lease_until is null or d.lease_until < @now)
            returning {Columns("d")}
            """;
        var now = clock.GetUtcNow();
        return await Read(sql, ct, ("now", now), ("leaseUntil", now + lease), ("limit", limit));
    }

    /// <summary>The receiver answered 2xx (or there was nothing to send: <paramref name="status"/> <see cref="Skipped"/>).</summary>
    public Task Done(Guid id, int? responseStatus, string status, CancellationToken ct) => Execute(
        $"update {_table} set status = @status, lease_until = null, last_status = @code, last_error = null, delivered_at = @now where id = @id", ct,
        ("id", id), ("status", status), ("code", (object?)responseStatus ?? DBNull.Value), ("now", clock.GetUtcNow()));

    /// <summary>The attempt failed: try again at <paramref name="retryAt"/>, or park the delivery when that is null.</summary>
    public Task Failed(Guid id, int? responseStatus, string error, DateTimeOffset? retryAt, CancellationToken ct) => Execute(
        $"update {_table} set status = @status, lease_until = null, last_status = @code, last_error = @error, next_attempt_at = coalesce(@retryAt, next_attempt_at) where id = @id", ct,
        ("id", id), ("status", retryAt is null ? Parked : Pending), ("code", (object?)responseStatus ?? DBNull.Value),
        ("error", error.Length > MaxError ? error[..MaxError] : error), ("retryAt", (object?)retryAt ?? DBNull.Value));

    public const int MaxError = 500;

    /// <summary>A webhook's deliveries, newest first.</summary>
    public Task<IReadOnlyList<WebhookDelivery>> Log(Guid webhookId, int limit, CancellationToken ct) =>
        Read($"select {Columns(_table)} from {_table} where webhook_id = @webhook order by created_at desc, sequence desc limit @limit", ct,
            ("webhook", webhookId), ("limit", limit));

    /// <summary>
    /// Queues again, as replays, every conversation event the webhook wants from <paramref name="fromSequence"/> (or
    /// <paramref name="fromTime"/>) up to <paramref name="upTo"/>, the last one the outbox has passed. Answers how many.
    /// </summary>
    public async Task<int> Replay(Webhook hook, long? fromSequence, DateTimeOffset? fromTime, long upTo, CancellationToken ct)
    {
        Type[] types = [.. WebhookEventTypes.ConversationEventTypes.Where(type => hook.EventTypes.Length == 0 || hook.EventTypes.Contains(type.Name))];
        var tables = new MartenTables(store);
        var sql = $"""
            insert into {_table} (id, webhook_id, line, conversation_id, sequence, event_type, status, attempts, next_attempt_at, created_at, replay)
            select gen_random_uuid(), @webhook, e.{StreamId}, e.{StreamId}, e.{SeqId}, (@typeNames)[array_position(@storedTypes, e.{TypeColumn})], '{Pending}', 0, @now, @now, true
            from {tables.Events} e
            where e.{SeqId} <= @upTo and e.{TypeColumn} = any(@storedTypes)
              and (@from::bigint is null or e.{SeqId} >= @from) and (@fromTime::timestamptz is null or e."{Timestamp}" >= @fromTime)
            """;
        string[] names = [.. types.Select(type => type.Name)];
        string[] stored = [.. types.Select(tables.StoredName)];
        return await Execute(sql, ct, ("webhook", hook.Id), ("typeNames", names), ("storedTypes", stored), ("now", clock.GetUtcNow()),
            ("upTo", upTo), ("from", (object?)fromSequence ?? DBNull.Value), ("fromTime", (object?)fromTime ?? DBNull.Value));
    }

    /// <summary>A deleted webhook's deliveries go with it.</summary>
    public Task Forget(Guid webhookId, CancellationToken ct) => Execute($"delete from {_table} where webhook_id = @webhook", ct, ("webhook", webhookId));

    private static string Columns(string alias) =>
        string.Join(", ", new[] { "id", "webhook_id", "event_type", "conversation_id", "recipient_id", "sequence", "status", "attempts", "created_at",
            "last_attempt_at", "last_status", "last_error", "delivered_at", "replay" }.Select(c => $"{alias}.{c}"));

    private async Task<IReadOnlyList<WebhookDelivery>> Read(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<WebhookDelivery>();
        while (await reader.ReadAsync(ct))
            rows.Add(new(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetGuid(4),
                reader.GetInt64(5), reader.GetString(6), reader.GetInt32(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetInt32(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetFieldValue<DateTimeOffset>(12), reader.GetBoolean(13)));
        return rows;
    }

    private async Task<int> Execute(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return command;
    }
}
