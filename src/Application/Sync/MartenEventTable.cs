using EventChat.Domain.Conversations;
using Marten;
using JasperFx.Events.Projections;
using Marten.Events;

namespace EventChat.Application.Sync;

/// <summary>
/// What the sync feed's SQL takes for granted about Marten's own tables, which Marten does not promise to keep: their
/// names and columns, the daemon's high-water-mark row, the names events are stored under and the JSON keys of their
/// data. The integration test <c>MartenEventTableNames</c> checks each against a real database and Marten's mapping, so
/// an upgrade that changes one fails there, by name, instead of as a sync that quietly leaves events out.
/// </summary>
public sealed class MartenEventTable(IDocumentStore store)
{
    private readonly EventGraph events = (EventGraph)store.Options.Events;

    public string Events => $"{events.DatabaseSchemaName}.{EventsTable}";

    public string Progression => $"{events.DatabaseSchemaName}.{ProgressionTable}";

    public const string EventsTable = "mt_events";
    public const string SeqId = "seq_id";
    public const string StreamId = "stream_id";
    public const string Timestamp = "timestamp";
    public const string TypeColumn = "type";
    public const string Data = "data";

    public const string ProgressionTable = "mt_event_progression";
    public const string ProgressionName = "name";
    public const string ProgressionSeqId = "last_seq_id";

    /// <summary>The progression row in which the async daemon records how far the sequence has no gaps that may still fill.</summary>
    public const string HighWaterMarkRow = ShardState.HighWaterMark;

    /// <summary>The JSON key of <see cref="ParticipantAdded.UserId"/> (and of the removals'), as Marten's serializer writes it.</summary>
    public const string UserIdKey = "userId";

    /// <summary>The JSON key of <see cref="ConversationStarted.ParticipantIds"/>.</summary>
    public const string ParticipantIdsKey = "participantIds";

    /// <summary>Each table the feed reads, with the columns it reads from it.</summary>
    public static IReadOnlyDictionary<string, string[]> ColumnsRead { get; } = new Dictionary<string, string[]>
    {
        [EventsTable] = [SeqId, StreamId, Timestamp, TypeColumn, Data],
        [ProgressionTable] = [ProgressionName, ProgressionSeqId],
    };

    /// <summary>The name Marten stores events of <paramref name="eventType"/> under (the <c>type</c> column), from its own mapping.</summary>
    public string StoredName(Type eventType) => events.EventMappingFor(eventType).EventTypeName;
}
