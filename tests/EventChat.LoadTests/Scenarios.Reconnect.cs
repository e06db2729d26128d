using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventChat.LoadTests;

/// <summary>The parts of a <c>sync</c> answer the reconnect scenario reads (docs/api.md, "Sync").</summary>
public sealed record SyncAnswer(List<SyncEntry>? Items, string? Cursor, bool HasMore);

public sealed record SyncEntry(string? Type, Guid ConversationId, long Version, SyncedMessage? Message);

public sealed record SyncedMessage(Guid Id, long Sequence);

/// <summary>The parts of a <c>sendMessage</c> answer the reconnect scenario reads.</summary>
public sealed record SentAnswer(SentMessage? Message);

public sealed record SentMessage(Guid Id, Guid ConversationId, long Sequence);

/// <summary>One reconnecting client: its conversation, what it has seen, and what it is owed.</summary>
internal sealed class ReconnectClient
{
    public Guid Conversation;
    public long LastVersion;
    public string? Cursor;
    public bool Broken;
    public readonly HashSet<Guid> Seen = [];
    public readonly Dictionary<Guid, long> Expected = [];
    public long Recovered, DuplicateIds, DuplicateSequences, Duplicates, SequenceGaps, Foreign, Unexpected, SequenceMismatch;

    /// <summary>Applies a page of the feed; answers how many owed messages it brought.</summary>
    public int Apply(IEnumerable<SyncEntry> items)
    {
        var fresh = 0;
        foreach (var item in items)
        {
            if (item.ConversationId != Conversation)
            {
                Foreign++;
                continue;
            }
            var duplicate = false;
            if (item.Version <= LastVersion)
            {
                DuplicateSequences++;
                duplicate = true;
            }
            else
            {
                SequenceGaps += item.Version - LastVersion - 1;
                LastVersion = item.Version;
            }
            if (item.Type == "MessageSent" && item.Message is { } m)
            {
                if (m.Sequence != item.Version)
                    SequenceMismatch++;
                if (!Seen.Add(m.Id))
                {
                    DuplicateIds++;
                    duplicate = true;
                }
                else if (Expected.ContainsKey(m.Id))
                {
                    Recovered++;
                    fresh++;
                }
                else
                    Unexpected++;
            }
            if (duplicate)
                Duplicates++;
        }
        return fresh;
    }

    public bool Current => Recovered == Expected.Count;

    public long MissingIds => Expected.Count - Recovered;

    /// <summary>Sequence numbers skipped, including any between the last one seen and the last one sent.</summary>
    public long MissingSequences => SequenceGaps + (Expected.Count == 0 ? 0 : Math.Max(0, Expected.Values.Max() - LastVersion));

    /// <summary>Messages owed but not recovered, or sequence numbers skipped, whichever is more.</summary>
    public long Gaps => Math.Max(MissingIds, MissingSequences);
}

public sealed partial class Scenarios
{
    private volatile bool _dropping;

    /// <summary>
    /// K clients, each in a direct conversation with its own partner, sync to a cursor and drop; the partners send M
    /// messages each; then all K reconnect at once and resume with <c>sync</c> from their cursors until each has
    /// exactly its M messages. Counts duplicates and gaps by message id and by per-conversation sequence.
    /// </summary>
    public async Task<RunResult> Reconnect(CancellationToken ct)
    {
        var setup = Stopwatch.StartNew();
        var prefix = EventChatClient.NewRunPrefix();
        var k = o.Connections;
        var accounts = await api.RegisterMany(prefix, "r", 2 * k, ct);
        var clients = accounts[..k];
        var partners = accounts[k..];
        var state = clients.Select(_ => new ReconnectClient()).ToArray();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct };
        HubConnection[] partnerConnections = [], first = [];
        var second = new HubConnection?[k];
        try
        {
            partnerConnections = await EventChatClient.Connect(api.BaseUrl, partners, _m.Errors, Stopping, null, ct);
            first = await EventChatClient.Connect(api.BaseUrl, clients, _m.Errors, () => _dropping || Stopping(), null, ct);

            // The partner's first message starts the direct conversation; each client then syncs from the start of its feed to a cursor.
            await Parallel.ForEachAsync(Enumerable.Range(0, k), parallel, async (i, token) =>
            {
                var s = state[i];
                try
                {
                    var hello = await SendTo(partnerConnections[i], clients[i], prefix, token);
                    s.Conversation = hello.ConversationId;
                    var deadline = Stopwatch.GetTimestamp() + Measurement.Ticks(o.Duration);
                    for (;;)
                    {
                        var page = await first[i].InvokeAsync<SyncAnswer>("sync", new { since = s.Cursor, limit = o.SyncLimit }, token);
                        s.Apply(page.Items ?? []);
                        s.Cursor = page.Cursor;
                        if (!page.HasMore && s.Seen.Contains(hello.Id))
                            break;
                        if (Stopwatch.GetTimestamp() > deadline)
                            throw new TimeoutException("the initial sync never brought the first message");
                        if (page.Items is not { Count: > 0 })
                            await Task.Delay(100, token);
                    }
                    // The initial sync is not measured: what it found is the baseline.
                    s.Recovered = s.Unexpected = s.Foreign = s.Duplicates = s.DuplicateIds = s.DuplicateSequences = s.SequenceGaps = s.SequenceMismatch = 0;
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    s.Broken = true;
                    _m.Errors.Add("setup_" + ErrorCounter.Classify(e));
                }
            });

            // All K drop at once; while they are away, each partner sends M messages.
            _dropping = true;
            await EventChatClient.DisposeAll(first);
            await Parallel.ForEachAsync(Enumerable.Range(0, k).Where(i => !state[i].Broken), parallel, async (i, token) =>
            {
                for (var j = 0; j < o.Messages; j++)
                {
                    try
                    {
                        var sent = await SendTo(partnerConnections[i], clients[i], prefix, token);
                        state[i].Expected[sent.Id] = sent.Sequence;
                    }
                    catch (Exception e) when (!token.IsCancellationRequested)
                    {
                        _m.Errors.Add(e);
                    }
                }
            });
            var setupSeconds = setup.Elapsed.TotalSeconds;

            // All K reconnect at once and resume from their cursors.
            var before = await api.ServerMemoryBytes(ct);
            var connected = new LatencyHistogram();
            var current = new LatencyHistogram();
            long syncCalls = 0, lastCurrent = 0;
            var started = DateTimeOffset.UtcNow;
            _cpu.Start();
            var start = Stopwatch.GetTimestamp();
            var end = start + Measurement.Ticks(o.Duration);
            await Task.WhenAll(Enumerable.Range(0, k).Where(i => !state[i].Broken).Select(async i =>
            {
                await Task.Yield();
                var s = state[i];
                var cursor = s.Cursor;
                while (Stopwatch.GetTimestamp() < end)
                {
                    try
                    {
                        if (second[i] is null)
                        {
                            second[i] = await EventChatClient.ConnectOne(api.BaseUrl, clients[i], _m.Errors, Stopping, null, ct);
                            connected.Record(Measurement.Micros(start, Stopwatch.GetTimestamp()));
                        }
                        var page = await second[i]!.InvokeAsync<SyncAnswer>("sync", new { since = cursor, limit = o.SyncLimit }, ct);
                        Interlocked.Increment(ref syncCalls);
                        var fresh = s.Apply(page.Items ?? []);
                        cursor = page.Cursor;
                        if (!page.HasMore && s.Current)
                        {
                            var now = Stopwatch.GetTimestamp();
                            current.Record(Measurement.Micros(start, now));
                            InterlockedMax(ref lastCurrent, now);
                            return;
                        }
                        // Nothing new: behind a write in flight (hasMore) or, if the feed says it is complete, short of messages; poll again shortly.
                        if (fresh == 0 && page.Items is not { Count: > 0 })
                            await Task.Delay(100, ct);
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested)
                    {
                        _m.Errors.Add(e);
                        await Task.Delay(100, ct);
                    }
                }
            }));
            var (serverCpu, loadCpu, machineCpu, databaseCpu) = _cpu.Stop();
            var after = await api.ServerMemoryBytes(ct);

            var live = state.Where(s => !s.Broken).ToList();
            long Sum(Func<ReconnectClient, long> f) => live.Sum(f);
            var sentCount = Sum(s => s.Expected.Count);
            var currentCount = live.LongCount(s => s.Current);
            var duplicates = Sum(s => s.Duplicates);
            var gaps = Sum(s => s.Gaps);
            void Count(string kind, long n)
            {
                if (n > 0)
                    _m.Errors.Add(kind, n);
            }
            Count("duplicate_id", Sum(s => s.DuplicateIds));
            Count("duplicate_sequence", Sum(s => s.DuplicateSequences));
            Count("gap_id", Sum(s => s.MissingIds));
            Count("gap_sequence", Sum(s => s.MissingSequences));
            Count("sequence_mismatch", Sum(s => s.SequenceMismatch));
            Count("unexpected_item", Sum(s => s.Unexpected + s.Foreign));
            Count("not_current", k - currentCount);
            var wall = currentCount == k ? Measurement.Micros(start, Interlocked.Read(ref lastCurrent)) / 1e6 : (double?)null;
            return new RunResult
            {
                Scenario = o.Scenario,
                Label = o.Label,
                Url = api.BaseUrl.ToString(),
                StartedAt = started,
                DurationSeconds = o.Duration.TotalSeconds,
                WarmupSeconds = 0,
                SetupSeconds = Math.Round(setupSeconds, 1),
                Users = accounts.Length,
                Connections = k,
                Senders = k,
                RecipientsPerMessage = 1,
                Mode = "reconnect",
                ClientMessageId = o.ClientMessageId,
                MessagesSent = sentCount,
                Deliveries = Sum(s => s.Recovered),
                DeliveriesExpected = sentCount,
                Errors = _m.Errors.Total,
                ErrorKinds = _m.Errors.Snapshot(),
                ServerRssMbBefore = Mb(before),
                ServerRssMbAfter = Mb(after),
                ServerCpuPercent = serverCpu,
                DatabaseCpuPercent = databaseCpu,
                LoadCpuPercent = loadCpu,
                MachineCpuPercent = machineCpu,
                Reconnect = connected.Summary(),
                CatchUp = current.Summary(),
                WallSeconds = wall is { } w ? Math.Round(w, 3) : null,
                Recovered = Sum(s => s.Recovered),
                RecoveredExpected = sentCount,
                Current = currentCount,
                Duplicates = duplicates,
                Gaps = gaps,
                SyncCalls = syncCalls,
                Note = string.Create(CultureInfo.InvariantCulture,
                    $"{k} clients dropped, {o.Messages} messages each sent to them while away, then all reconnected at once and resumed with sync (limit {o.SyncLimit}); CPU over the catch-up"),
            };
        }
        finally
        {
            await Close([.. partnerConnections, .. first, .. second.OfType<HubConnection>()]);
        }
    }

    private async Task<SentMessage> SendTo(HubConnection connection, Account receiver, string prefix, CancellationToken ct)
    {
        var answer = await connection.InvokeAsync<SentAnswer>("sendMessage", new
        {
            receiverId = receiver.UserId,
            content = Payload.Content(Stopwatch.GetTimestamp(), o.ContentLength),
            clientMessageId = ClientMessageId(prefix),
        }, ct);
        return answer.Message ?? throw new InvalidOperationException("sendMessage answered without a message");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
