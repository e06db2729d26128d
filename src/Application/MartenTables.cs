using EventChat.Domain.Conversations;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events;

namespace EventChat.Application;

/// <summary>
/// Everything EventChat's own SQL takes for granted about Marten's tables, which Marten does not promise to keep: the
/// event, stream and progression tables and their columns, the daemon's high-water-mark row, the append function, the
/// names events are stored under and the JSON keys of their data, the document tables' names and metadata columns, and
/// the SQLSTATE and keys by which Marten refuses a racing append. The sync feed, the send path (<c>ConversationRows</c>),
/// message search, webhook replays and the projection lag read them from here, and the integration test
/// <c>MartenTableNames</c> checks each against a real database and Marten's mapping, so an upgrade that changes one fails
/// there, by name, instead of as SQL that quietly finds nothing.
/// </summary>
public sealed class MartenTables(IDocumentStore store)
{
    private readonly EventGraph events = (EventGraph)store.Options.Events;
    private readonly string documents = store.Options.DatabaseSchemaName;

    public string Events => $"{events.DatabaseSchemaName}.{EventsTable}";

    public string Streams => $"{events.DatabaseSchemaName}.{StreamsTable}";

    public string Progression => $"{events.DatabaseSchemaName}.{ProgressionTable}";

    /// <summary>Marten's append function for <see cref="EventAppendMode.Quick"/>, schema-qualified.</summary>
    public string QuickAppend => $"{events.DatabaseSchemaName}.{QuickAppendFunction}";

    /// <summary>The table of the <typeparamref name="T"/> documents, schema-qualified.</summary>
    public string Documents<T>() => $"{documents}.{DocumentTable<T>()}";

    public const string EventsTable = "mt_events";
    public const string SeqId = "seq_id";
    public const string StreamId = "stream_id";
    public const string Timestamp = "timestamp";
    public const string TypeColumn = "type";
    public const string Data = "data";

    public const string StreamsTable = "mt_streams";
    public const string StreamsId = "id";
    public const string StreamsVersion = "version";

    public const string ProgressionTable = "mt_event_progression";
    public const string ProgressionName = "name";
    public const string ProgressionSeqId = "last_seq_id";

    /// <summary>The progression row in which the async daemon records how far the sequence has no gaps that may still fill.</summary>
    public const string HighWaterMarkRow = ShardState.HighWaterMark;

    /// <summary>
    /// Takes the stream id, its type, the tenant, then per event its id, stored type name, .NET type name, JSON data and
    /// headers, and last the version the stream must be at (0: it must not exist yet).
    /// </summary>
    public const string QuickAppendFunction = "mt_quick_append_events";

    /// <summary>What <see cref="QuickAppendFunction"/> raises when the stream is not at the expected version.</summary>
    public const string UnexpectedVersionSqlState = "MT003";

    /// <summary>The keys a racing append or stream start breaks (SQLSTATE 23505) when no lock kept the two apart.</summary>
    public const string EventsVersionKey = "pk_mt_events_stream_and_version", StreamsKey = "pkey_mt_streams_id";

    /// <summary>The JSON key of <see cref="ParticipantAdded.UserId"/> (and of the removals'), as Marten's serializer writes it.</summary>
    public const string UserIdKey = "userId";

    /// <summary>The JSON key of <see cref="ConversationStarted.ParticipantIds"/>.</summary>
    public const string ParticipantIdsKey = "participantIds";

    // Every document table's own columns beside the duplicated fields, which ProjectionsSetup and StoreSchema name.
    public const string DocumentId = "id";
    public const string DocumentData = "data";
    public const string DocumentVersion = "mt_version";
    public const string DocumentDotNetType = "mt_dotnet_type";
    public const string DocumentLastModified = "mt_last_modified";

    /// <summary>The table Marten keeps <typeparamref name="T"/> documents in (unqualified): its prefix and the type's name in lower case.</summary>
    public static string DocumentTable<T>() => DocumentTableOf<T>.Name;

    public static string DocumentTable(Type documentType) => "mt_doc_" + documentType.Name.ToLowerInvariant();

    // Worked out once per type: the send path names its tables in every batch.
    private static class DocumentTableOf<T>
    {
        public static readonly string Name = DocumentTable(typeof(T));
    }

    /// <summary>Each of Marten's event tables EventChat reads or locks, with the columns it names.</summary>
    public static IReadOnlyDictionary<string, string[]> ColumnsRead { get; } = new Dictionary<string, string[]>
    {
        [EventsTable] = [SeqId, StreamId, Timestamp, TypeColumn, Data],
        [StreamsTable] = [StreamsId, StreamsVersion],
        [ProgressionTable] = [ProgressionName, ProgressionSeqId],
    };

    /// <summary>The metadata columns <c>ConversationRows</c> writes in each document table it writes.</summary>
    public static IReadOnlyList<string> DocumentColumns { get; } = [DocumentId, DocumentData, DocumentVersion, DocumentDotNetType, DocumentLastModified];

    /// <summary>The name Marten stores events of <paramref name="eventType"/> under (the <c>type</c> column), from its own mapping.</summary>
    public string StoredName(Type eventType) => events.EventMappingFor(eventType).EventTypeName;
}
