using System.Data.Common;
using EventChat.Application.Conversations;
using EventChat.Application.Privacy;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Mediator;
using Npgsql;
using static EventChat.Application.MartenTables;

namespace EventChat.Application.Sync;

/// <summary>
/// Everything that changed for the caller since <see cref="Since"/> (a cursor from an earlier answer; none: from the
/// caller's registration), across all their conversations, in the order the events were committed. See docs/api.md
/// ("Sync") for the item shapes and docs/architecture.md ("The sync feed's safe horizon") for why it never skips.
/// </summary>
public sealed record SyncFeed(Guid UserId, string? Since = null, int? Limit = null) : IQuery<SyncPage>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;
}

/// <param name="Cursor">Pass it as <c>since</c> next time: the caller has every item of their feed up to it.</param>
/// <param name="HasMore">Call again at once: the page was full, or committed events wait behind a write still in flight.</param>
public sealed record SyncPage(IReadOnlyList<SyncItem> Items, string Cursor, bool HasMore);

/// <summary>
/// One event of the caller's feed. <see cref="Version"/> is the event's position in its conversation's stream (a
/// message's <c>sequence</c>). Exactly one of <see cref="Message"/>, <see cref="Receipt"/>, <see cref="Membership"/> is set.
/// </summary>
/// <param name="Message">For MessageSent/Edited/Deleted: the message as that event left it, or its tombstone if it has been deleted since.</param>
public sealed record SyncItem(
    string Type,
    Guid ConversationId,
    long Version,
    DateTimeOffset At,
    MessageView? Message = null,
    SyncReceipt? Receipt = null,
    SyncMembership? Membership = null);

/// <summary><paramref name="ReadBy"/> has read every message up to and including <paramref name="MessageId"/> (at <paramref name="Sequence"/>).</summary>
public sealed record SyncReceipt(Guid ReadBy, Guid MessageId, long Sequence);

/// <summary>
/// Who joined or went (<paramref name="UserIds"/>) and who did it (<paramref name="By"/>). For ConversationStarted,
/// <paramref name="UserIds"/> is every first participant and <paramref name="Kind"/> and <paramref name="Title"/> are set.
/// </summary>
public sealed record SyncMembership(IReadOnlyList<Guid> UserIds, Guid By, ConversationKind? Kind = null, string? Title = null);

/// <summary><c>EventChat:Sync</c> settings.</summary>
public sealed class SyncOptions
{
    public const string Section = "EventChat:Sync";

    /// <summary>How old the first event after a gap in the global sequence must be before the gap counts as permanent.</summary>
    public TimeSpan StaleGapAfter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many global sequence numbers one sync call inspects at most (the whole store, not only the caller's).</summary>
    public int MaxScan { get; init; } = 20_000;
}

public sealed class SyncFeedValidator : AbstractValidator<SyncFeed>
{
    public SyncFeedValidator(SyncCursors cursors)
    {
        RuleFor(q => q.Since).Must((q, since) => since is null || cursors.TryRead(q.UserId, since, out _))
            .WithMessage("'since' is not a cursor this server issued to you; start again without it.");
        RuleFor(q => q.Limit).InclusiveBetween(1, SyncFeed.MaxLimit);
    }
}

public sealed class SyncFeedHandler(IQuerySession session, SyncCursors cursors, SyncOptions options, ContentCipher cipher) : IQueryHandler<SyncFeed, SyncPage>
{
    private const int ScanBatch = 2_000;

    private static readonly Type[] JoiningEvents = [typeof(ConversationStarted), typeof(ParticipantAdded)];
    private static readonly Type[] LeavingEvents = [typeof(ParticipantRemoved), typeof(ParticipantLeft)];

    private readonly MartenTables marten = new(session.DocumentStore);

    public async ValueTask<SyncPage> Handle(SyncFeed query, CancellationToken ct)
    {
        var limit = query.Limit ?? SyncFeed.DefaultLimit;
        var since = query.Since is null ? await FeedStart(query.UserId, ct)
            : cursors.TryRead(query.UserId, query.Since, out var position) ? position
            : throw new InvalidOperationException("The validator lets only the caller's own cursors through.");

        // The horizon first, then membership: every event at or below the horizon was visible before membership was read.
        var (horizon, waiting) = await SafeHorizon(since, ct);
        var membership = horizon > since ? await MembershipSince(query.UserId, since, ct) : new Membership(query.UserId, []);
        Guid[] streams = [.. membership.Streams];

        var page = new List<IEvent>(limit);
        var after = since;
        while (streams.Length > 0 && after < horizon)
        {
            var from = after;
            var batch = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > from && e.Sequence <= horizon && streams.Contains(e.StreamId))
                .OrderBy(e => e.Sequence).Take(limit + 1).ToListAsync(ct);
            foreach (var e in batch.Where(membership.Admits))
            {
                if (page.Count == limit)
                    return await Answer(query.UserId, page, page[^1].Sequence, hasMore: true, ct);
                page.Add(e);
            }
            if (batch.Count <= limit)
                break;
            after = batch[^1].Sequence;
        }
        return await Answer(query.UserId, page, horizon, waiting, ct);
    }

    private async Task<SyncPage> Answer(Guid userId, List<IEvent> events, long cursor, bool hasMore, CancellationToken ct)
    {
        Guid[] messageIds = [.. events.Select(e => MessageIdOf(e.Data)).OfType<Guid>().Distinct()];
        var now = messageIds.Length == 0 ? [] : (await session.LoadManyAsync<MessageView>(ct, messageIds)).ToDictionary(m => m.Id);
        MessageView[] states = [.. events.Where(e => MessageIdOf(e.Data) is not null).Select(e => AsOf(e.Data, now[MessageIdOf(e.Data)!.Value]))];
        var messages = new Queue<MessageView>(await session.WithReplyPreviews(cipher, states, ct));
        SyncItem[] items = [.. events.Select(e => ToItem(e, messages))];
        return new(items, cursors.Issue(userId, cursor), hasMore);
    }

    /// <summary>
    /// The message as the event left it, which is what a client connected at the time was pushed; a tombstone if it has
    /// been deleted since, so deleted text never leaves the server (and a member who has left sees no later edit).
    /// </summary>
    private static MessageView AsOf(object data, MessageView now) => now.DeletedAt is not null ? now : data switch
    {
        MessageSent sent => now with { Content = sent.Content, EditedAt = null },
        MessageEdited edited => now with { Content = edited.Content, EditedAt = edited.EditedAt },
        _ => now,
    };

    private static SyncItem ToItem(IEvent e, Queue<MessageView> messages)
    {
        var item = new SyncItem(e.EventType.Name, e.StreamId, e.Version, e.Timestamp);
        return e.Data switch
        {
            MessagesMarkedRead r => item with { Receipt = new(r.ReaderId, r.UpToMessageId, r.UpToSequence) },
            ConversationStarted s => item with { Membership = new(s.ParticipantIds, s.StartedBy, s.Kind, s.Title) },
            ParticipantAdded a => item with { Membership = new([a.UserId], a.AddedBy) },
            ParticipantRemoved r => item with { Membership = new([r.UserId], r.RemovedBy) },
            ParticipantLeft l => item with { Membership = new([l.UserId], l.UserId) },
            var data when MessageIdOf(data) is not null => item with { Message = messages.Dequeue() },
            _ => item,
        };
    }

    private static Guid? MessageIdOf(object data) => data switch
    {
        MessageSent e => e.MessageId,
        MessageEdited e => e.MessageId,
        MessageDeleted e => e.MessageId,
        _ => null,
    };

    /// <summary>Where a feed without a cursor starts: just before the caller's registration, their first event.</summary>
    private async Task<long> FeedStart(Guid userId, CancellationToken ct)
    {
        var first = await Read(
            $"select coalesce(min({SeqId}), 1) - 1 from {marten.Events} where {StreamId} = $1", r => r.GetInt64(0), ct, userId);
        return first[0];
    }

    /// <summary>
    /// The highest global sequence up to which every number is either visible or will never be: walk the visible
    /// numbers after <paramref name="since"/> in order and stop at the first gap that may still fill, one whose next
    /// visible event is younger than <see cref="SyncOptions.StaleGapAfter"/> and above Marten's high-water mark.
    /// <c>Waiting</c>: visible events lie beyond that gap.
    /// </summary>
    private async Task<(long Horizon, bool Waiting)> SafeHorizon(long since, CancellationToken ct)
    {
        var settled = await HighWaterMark(ct);
        var position = since;
        for (var scanned = 0; scanned < options.MaxScan; scanned += ScanBatch)
        {
            var rows = await Read(
                $"""
                 select {SeqId}, "{Timestamp}" <= now() - make_interval(secs => $1) from {marten.Events}
                 where {SeqId} > $2 order by {SeqId} limit $3
                 """,
                r => (r.GetInt64(0), r.GetBoolean(1)), ct, options.StaleGapAfter.TotalSeconds, position, ScanBatch);
            foreach (var (sequence, stale) in rows)
            {
                if (sequence != position + 1 && sequence - 1 > settled && !stale)
                    return (position, true);
                position = sequence;
            }
            if (rows.Count < ScanBatch)
                return (position, false);
        }
        return (position, true);
    }

    /// <summary>Marten's async daemon's high-water mark, if it runs: every gap at or below it is settled. 0 otherwise.</summary>
    private async Task<long> HighWaterMark(CancellationToken ct)
    {
        var marks = await Read(
            $"select coalesce(max({ProgressionSeqId}), 0) from {marten.Progression} where {ProgressionName} = $1",
            r => r.GetInt64(0), ct, HighWaterMarkRow);
        return marks[0];
    }

    /// <summary>
    /// The conversations with events for the caller after <paramref name="since"/>, and whether the caller was a member
    /// of each at <paramref name="since"/>: their first membership event after it tells (added or started: not yet;
    /// removed or left: yes); with none, membership then is membership now.
    /// </summary>
    private async Task<Membership> MembershipSince(Guid userId, long since, CancellationToken ct)
    {
        var current = await session.Query<ConversationView>().WhereParticipant(userId).Select(v => v.Id).ToListAsync(ct);
        string[] leaving = [.. LeavingEvents.Select(marten.StoredName)];
        string[] types = [.. JoiningEvents.Select(marten.StoredName), .. leaving];
        var changes = await Read(
            $"""
             select {StreamId}, {TypeColumn} from {marten.Events}
             where {SeqId} > $1 and {TypeColumn} = any($2)
               and ({Data} ->> '{UserIdKey}' = $3 or {Data} -> '{ParticipantIdsKey}' ? $3)
             order by {SeqId}
             """,
            r => (r.GetGuid(0), r.GetString(1)), ct, since, types, userId.ToString());
        var memberAtSince = current.ToDictionary(id => id, _ => true);
        foreach (var (streamId, type) in changes.DistinctBy(c => c.Item1))
            memberAtSince[streamId] = leaving.Contains(type);
        return new(userId, memberAtSince);
    }

    private async Task<List<T>> Read<T>(string sql, Func<DbDataReader, T> row, CancellationToken ct, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql);
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
            rows.Add(row(reader));
        return rows;
    }

    /// <summary>Replays the caller's membership along the feed: an event is theirs if they were a member when it happened.</summary>
    private sealed class Membership(Guid userId, Dictionary<Guid, bool> member)
    {
        public IEnumerable<Guid> Streams => member.Keys;

        public bool Admits(IEvent e)
        {
            switch (e.Data)
            {
                case ConversationStarted s when s.ParticipantIds.Contains(userId):
                case ParticipantAdded a when a.UserId == userId:
                    return member[e.StreamId] = true;
                case ParticipantRemoved r when r.UserId == userId:
                case ParticipantLeft l when l.UserId == userId:
                    member[e.StreamId] = false;
                    return true;
                default:
                    return member[e.StreamId];
            }
        }
    }
}
