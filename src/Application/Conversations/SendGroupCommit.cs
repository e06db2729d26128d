using EventChat.Application.Privacy;
using EventChat.Application.Telemetry;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using EventChat.Projections;
using System.Collections.Immutable;
using Marten;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>What the group commit made of one send: a new message, or the answer to a retry.</summary>
public abstract record SendOutcome
{
    /// <summary>
    /// Appended and committed. <paramref name="Before"/> is the conversation as the send found it; <paramref name="View"/>
    /// is the conversation as its participants see it with this message, its text not sealed: what the pushes carry.
    /// <paramref name="Push"/> is the message's place in its conversation's line of pushes.
    /// </summary>
    public sealed record Committed(Conversation Before, MessageSent Sent, ConversationView View, PushTurn Push) : SendOutcome;

    /// <summary>A retry of a send already stored (same clientMessageId): answered as the first one was.</summary>
    public sealed record Retried(MessageView Original) : SendOutcome;
}

/// <summary>
/// Sends through a <see cref="GroupCommit{TPending, TOutcome}"/>, a batch in one round trip. The writers hold the
/// conversations they write to (<see cref="HeldConversations"/>), decide each send of a batch in arrival order on the
/// state the previous one left, and send the events, the read models' rows and the commit together
/// (<see cref="ConversationRows"/>), each stream appended only if it is still at the version decided on. A batch that
/// meets another write (another node, or an edit or read receipt here) rolls back and is decided again on what is
/// committed. A send that breaks a rule fails alone.
/// </summary>
public sealed class SendGroupCommit : IAsyncDisposable
{
    // Two writers keep a commit in flight while the other one flushes, without splitting batches so
    // finely that they stop amortising the flush (docs/performance.md).
    private const int Writers = 2;

    // Deciding again settles a conflict unless writers keep racing for the same conversation; then each send is
    // committed alone (GroupCommit), where the others' retries take their turn.
    private const int MaxAttempts = 4;

    private readonly IDocumentStore store;
    private readonly ConversationRows rows;
    private readonly HeldConversations held;
    private readonly ContentCipher cipher;
    private readonly TimeProvider clock;
    private readonly EventChatMetrics metrics;
    private readonly ILogger log;
    private readonly GroupCommit<PendingSend, SendOutcome> writers;
    private readonly PushLines pushes = new();

    public SendGroupCommit(IDocumentStore store, ConversationRows rows, HeldConversations held, ContentCipher cipher, TimeProvider clock,
        EventChatMetrics metrics, ILogger<SendGroupCommit> log)
    {
        (this.store, this.rows, this.held, this.cipher, this.clock, this.metrics, this.log) = (store, rows, held, cipher, clock, metrics, log);
        writers = new(Writers, Commit, log);
    }

    /// <summary>
    /// Queues the send and waits for its transaction, even if the sender hangs up meanwhile: a committed message is
    /// pushed to the others whatever became of its sender, and its turn in the conversation's line of pushes
    /// (<see cref="PushLines"/>) must be taken and passed on, or the conversation's later pushes would wait for good.
    /// </summary>
    public Task<SendOutcome> Send(SendMessage command) =>
        writers.Commit(new PendingSend(command, command.ConversationId ?? DirectConversation.IdFor(command.SenderId, command.ReceiverId!.Value)), command.Turn, CancellationToken.None);

    private async Task Commit(IReadOnlyList<PendingSend> batch)
    {
        metrics.GroupCommitted("send", batch.Count);
        for (var attempt = 1; ; attempt++)
        {
            var open = batch.Where(p => !p.Outcome.Task.IsCompleted).ToList();
            try
            {
                await CommitOnce(open, afresh: attempt > 1);
                return;
            }
            catch (Exception e)
            {
                foreach (var pending in open)
                    held.Forget(pending.ConversationId);
                if (attempt == MaxAttempts || !(ConversationRows.MetAnotherWrite(e) || e is DecidedOnHeldState))
                    throw;
                log.LogDebug("a batch of {Count} sends met another write; deciding again on what is committed ({Reason})", open.Count, e.Message);
            }
        }
    }

    private async Task CommitOnce(IReadOnlyList<PendingSend> batch, bool afresh)
    {
        var now = clock.GetUtcNow();
        await using var connection = await rows.Open(CancellationToken.None);
        var retries = new Dictionary<RetryKey, SendOutcome?>();
        var streams = await Open(connection, batch, afresh, retries);
        // Reads that only some sends need: attachments, the message replied to, a new direct conversation's receiver.
        await using var session = store.QuerySession();
        var decided = new List<(PendingSend Pending, SendOutcome Outcome)>(batch.Count);
        foreach (var pending in batch)
        {
            var stream = streams[pending.ConversationId];
            try
            {
                decided.Add((pending, await Decide(session, stream, pending, retries, now)));
            }
            catch (DomainException e) when (stream.IsCommittedState)
            {
                pending.Outcome.TrySetException(e);
            }
            // A refusal decided on held state may be out of date (added to the conversation on another node): decide again.
            catch (DomainException e)
            {
                throw new DecidedOnHeldState(e);
            }
        }
        var written = streams.Values.Where(s => s.Appended.Count > 0).OrderBy(s => s.Id).ToList();
        if (written.Count > 0)
            await Write(connection, written, decided);
        foreach (var stream in written)
            held.Keep(stream.Id, stream.Held());
        // Answered in commit order, so each conversation's turns to push are too.
        foreach (var (pending, outcome) in decided)
            pending.Outcome.TrySetResult(outcome is SendOutcome.Committed committed ? committed with { Push = pushes.Join(committed.Sent.ConversationId) } : outcome);
    }

    /// <summary>
    /// The batch's conversations: held ones as held, the others (every one, <paramref name="afresh"/>) read in one round
    /// trip, with the sends already stored by an earlier attempt put in <paramref name="retries"/>.
    /// </summary>
    private async Task<Dictionary<Guid, OpenConversation>> Open(Npgsql.NpgsqlConnection connection, IReadOnlyList<PendingSend> batch, bool afresh,
        Dictionary<RetryKey, SendOutcome?> retries)
    {
        var streams = new Dictionary<Guid, OpenConversation>();
        foreach (var id in batch.Select(p => p.ConversationId).Distinct())
            if (!afresh && held.Find(id) is { } conversation)
                streams[id] = new(id, conversation.At, conversation.Keys, isCommittedState: false);
        Guid[] unread = [.. batch.Select(p => p.ConversationId).Distinct().Where(id => !streams.ContainsKey(id))];
        RetryKey[] lookups = afresh ? [.. batch.Select(p => p.RetryKey).OfType<RetryKey>().Distinct()] : [];
        if (unread.Length == 0 && lookups.Length == 0)
            return streams;
        var (conversations, keys, stored) = await rows.Read(connection, unread, lookups, CancellationToken.None);
        foreach (var id in unread)
        {
            var live = ImmutableDictionary.CreateBuilder<Guid, LiveKey>();
            foreach (var key in keys.Where(k => k.ConversationId == id))
                live[key.UserId] = cipher.Live(key);
            streams[id] = new(id, conversations.GetValueOrDefault(id), live.ToImmutable(), isCommittedState: true);
        }
        foreach (var (key, original) in stored)
            retries[key] = new SendOutcome.Retried(original);
        return streams;
    }

    private async Task<SendOutcome> Decide(IQuerySession session, OpenConversation stream, PendingSend pending, Dictionary<RetryKey, SendOutcome?> retries, DateTimeOffset now)
    {
        var command = pending.Command;
        var conversation = await stream.StateFor(session, command, now);
        conversation.EnsureParticipant(command.SenderId);
        if (pending.RetryKey is { } key && retries.GetValueOrDefault(key) is { } retried)
            return retried;
        var attachments = await session.LoadOwnAttachments(command.SenderId, command.AttachmentIds, CancellationToken.None);
        var sent = conversation.Send(Guid.CreateVersion7(), command.SenderId, command.Content ?? "", command.MessageType ?? MessageTypes.DefaultFor(attachments),
            command.ClientMessageId, now, command.ReplyToId, await session.LoadMessageFacts(command.ReplyToId, CancellationToken.None), attachments);
        var shown = await stream.Append(session, cipher, sent);
        // A second attempt in this very batch finds this one, as it would once committed.
        if (pending.RetryKey is { } sentKey)
            retries[sentKey] = new SendOutcome.Retried(MessageView.From(sent));
        return new SendOutcome.Committed(conversation, sent, shown, NotYetCommitted);
    }

    /// <summary>
    /// The batch's one round trip: its streams locked, the guards (no send stored by an earlier attempt, every key sealed with still live),
    /// each stream's events appended if it is still at the version decided on, the read models' rows, commit.
    /// </summary>
    private async Task Write(Npgsql.NpgsqlConnection connection, IReadOnlyList<OpenConversation> written, IReadOnlyList<(PendingSend Pending, SendOutcome Outcome)> decided)
    {
        await using var batch = rows.Begin(connection);
        batch.Lock(written.Select(s => s.Id));
        batch.RequireFirstAttempts([.. decided.Where(d => d.Outcome is SendOutcome.Committed).Select(d => d.Pending.RetryKey).OfType<RetryKey>()]);
        batch.RequireLive([.. written.SelectMany(s => s.KeysSealedWith)]);
        foreach (var stream in written)
            batch.Append(stream.Id, stream.ExpectedVersion, stream.Appended);
        foreach (var stream in written)
        {
            batch.Conversation(stream.State, stream.StoredView, stream.Version);
            foreach (var (stored, plainText) in stream.Messages)
                batch.NewMessage(stored, plainText);
            foreach (var key in stream.NewKeys)
                batch.NewKey(key);
        }
        await batch.Commit(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => writers.DisposeAsync();

    // A decided send has no turn to push until its batch commits.
    private static readonly PushTurn NotYetCommitted = new(Task.CompletedTask, () => { });

    private sealed class PendingSend(SendMessage command, Guid conversationId) : PendingCommit<SendOutcome>(conversationId)
    {
        public SendMessage Command { get; } = command;

        public Guid ConversationId => StreamId;

        public RetryKey? RetryKey =>
            Command.ClientMessageId is { } clientId ? new(ConversationId, Command.SenderId, clientId) : null;
    }

    private sealed class DecidedOnHeldState(DomainException refusal) : Exception($"refused on held state: {refusal.Message}", refusal);

    /// <summary>
    /// One conversation within a batch: its state and stored view move on with every send appended, and a direct
    /// conversation that does not exist yet is started by its first send that succeeds, so a failed first send leaves
    /// nothing behind.
    /// </summary>
    private sealed class OpenConversation(Guid id, ConversationAt? at, ImmutableDictionary<Guid, LiveKey> keys, bool isCommittedState)
    {
        private Conversation? state = at?.State;
        private ConversationView? view = at?.View;
        // The authors' live keys: those held, and any this batch creates.
        private ImmutableDictionary<Guid, LiveKey> keys = keys;
        private ConversationStarted? starting;

        public Guid Id => id;

        /// <summary>Read from the database in this attempt, not held: a refusal decided on it stands.</summary>
        public bool IsCommittedState => isCommittedState;

        /// <summary>The stream's version the batch decided on; 0 for a conversation it starts.</summary>
        public long ExpectedVersion { get; } = at?.Version ?? 0;

        public List<object> Appended { get; } = [];

        public long Version => ExpectedVersion + Appended.Count;

        public Conversation State => state!;

        public ConversationView StoredView => view!;

        /// <summary>Each new message's view as stored (sealed), with its plain text for the search row.</summary>
        public List<(MessageView Stored, string PlainText)> Messages { get; } = [];

        public List<DataKey> NewKeys { get; } = [];

        /// <summary>The stored keys this batch sealed with, which must still be live when it commits; not those it creates.</summary>
        public HashSet<Guid> KeysSealedWith { get; } = [];

        public async Task<Conversation> StateFor(IQuerySession session, SendMessage command, DateTimeOffset now)
        {
            if (state is not null)
                return state;
            if (command.ReceiverId is not { } receiverId)
                throw DomainException.NotFound("Conversation");
            starting = Conversation.StartDirect(command.SenderId, receiverId, now);
            _ = await session.LoadAsync<UserAccount>(receiverId) ?? throw DomainException.NotFound("User");
            return Conversation.Create(starting);
        }

        /// <summary>
        /// Appends <paramref name="sent"/> sealed under its author's key (created on their first message here), and returns
        /// the view as participants see it: the conversation with this message, in plain text.
        /// </summary>
        public async Task<ConversationView> Append(IQuerySession session, ContentCipher cipher, MessageSent sent)
        {
            if (!keys.TryGetValue(sent.SenderId, out var key))
            {
                var created = await cipher.NewKey(session, id, sent.SenderId, CancellationToken.None);
                NewKeys.Add(created.Stored);
                (keys, key) = (keys.SetItem(sent.SenderId, created.Live), created.Live);
            }
            else if (NewKeys.All(k => k.Id != key.Id))
                KeysSealedWith.Add(key.Id);
            var stored = ContentCipher.Sealed(sent, key);
            if (starting is not null)
            {
                Appended.Add(starting);
                (state, view, starting) = (Conversation.Create(starting), ConversationViewProjection.Create(starting), null);
            }
            Appended.Add(stored);
            Messages.Add((MessageView.From(stored), sent.Content));
            var shown = ConversationViewProjection.Apply(sent, view!);
            (state, view) = (state!.Apply(stored), ConversationViewProjection.Apply(stored, view!));
            return shown;
        }

        public HeldConversation Held() => new(new(Version, State, StoredView), keys);
    }
}
