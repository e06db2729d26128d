using EventChat.Application.Privacy;
using EventChat.Application.Telemetry;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using EventChat.Projections;
using JasperFx.Events;
using Marten;
using Marten.Services.BatchQuerying;
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
/// Sends through a <see cref="GroupCommit{TPending, TOutcome}"/>: a batch locks its conversation streams (in
/// id order, so writers never deadlock), decides each send in arrival order on the state the previous one left,
/// and commits them all in one transaction. A send that breaks a rule fails alone.
/// </summary>
public sealed class SendGroupCommit : IAsyncDisposable
{
    // Two writers keep a commit in flight while the other one flushes, without splitting batches so
    // finely that they stop amortising the flush (docs/performance.md).
    private const int Writers = 2;

    private readonly IDocumentStore store;
    private readonly ContentCipher cipher;
    private readonly TimeProvider clock;
    private readonly EventChatMetrics metrics;
    private readonly GroupCommit<PendingSend, SendOutcome> writers;
    private readonly PushLines pushes = new();

    public SendGroupCommit(IDocumentStore store, ContentCipher cipher, TimeProvider clock, EventChatMetrics metrics, ILogger<SendGroupCommit> log)
    {
        (this.store, this.cipher, this.clock, this.metrics) = (store, cipher, clock, metrics);
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
        // An identity map: the views read below are the ones the inline projections then apply this batch's events to
        // (UseIdentityMapForAggregates), not read a second time.
        await using var session = store.IdentitySession();
        var now = clock.GetUtcNow();
        // One round trip gathers the batch: each stream locked with its snapshot, then, under the locks, the views,
        // the data keys and the retry lookups.
        var query = session.CreateBatchQuery();
        var locks = await session.QueueLocks<Conversation>(query, batch.Select(p => p.ConversationId));
        var views = query.LoadMany<ConversationView>().ById(locks.Ids);
        var keys = cipher.QueueSealer(session, query, locks.Ids);
        var retryLookups = QueueRetryLookups(query, batch);
        await query.Execute(CancellationToken.None);
        var streams = (await locks.Streams()).ToDictionary(s => s.Key, s => new OpenStream(s.Value));
        foreach (var view in await views)
            streams[view.Id].Shown = view;
        var retries = await retryLookups();
        var sealer = await keys();
        await GroupCommit<PendingSend, SendOutcome>.DecideEachThenCommit(batch,
            pending => Decide(session, sealer, streams[pending.ConversationId], pending, retries, now),
            () => session.SaveChangesAsync(CancellationToken.None),
            // Answered in commit order, so each conversation's turns to push are too.
            outcome => outcome is SendOutcome.Committed committed ? committed with { Push = pushes.Join(committed.Sent.ConversationId) } : outcome);
    }

    private static async Task<SendOutcome> Decide(IDocumentSession session, ContentCipher.BatchSealer sealer, OpenStream stream, PendingSend pending, Dictionary<RetryKey, SendOutcome?> retries, DateTimeOffset now)
    {
        var command = pending.Command;
        var conversation = await stream.StateFor(session, command, now);
        conversation.EnsureParticipant(command.SenderId);
        if (pending.RetryKey is { } key && retries.GetValueOrDefault(key) is { } retried)
            return retried;
        var attachments = await session.LoadOwnAttachments(command.SenderId, command.AttachmentIds, CancellationToken.None);
        var sent = conversation.Send(Guid.CreateVersion7(), command.SenderId, command.Content ?? "", command.MessageType ?? MessageTypes.DefaultFor(attachments),
            command.ClientMessageId, now, command.ReplyToId, await session.LoadMessageFacts(command.ReplyToId, CancellationToken.None), attachments);
        // Stored sealed. The search index takes the words from the text in hand (docs/privacy.md, "Search"), and so do
        // the sender's answer and the pushes.
        MessageSearchIndex.Add(session, sent.MessageId, sent.ConversationId, sent.SenderId, sent.Content);
        var shown = stream.Append(await sealer.Sealed(sent, CancellationToken.None), sent);
        // A second attempt in this very batch finds this one, as it would once committed.
        if (pending.RetryKey is { } sentKey)
            retries[sentKey] = new SendOutcome.Retried(MessageView.From(sent));
        return new SendOutcome.Committed(conversation, sent, shown, NotYetCommitted);
    }

    // Every retry lookup of the batch rides on its gathering query. The streams are locked by the statements before
    // them, so an earlier attempt of the same send has either committed (and is found) or has not started deciding.
    private static Func<Task<Dictionary<RetryKey, SendOutcome?>>> QueueRetryLookups(IBatchedQuery query, IReadOnlyList<PendingSend> batch)
    {
        var keys = batch.Select(p => p.RetryKey).OfType<RetryKey>().Distinct().ToList();
        var lookups = keys.Select(k => FindRetry(query, k.ConversationId, k.SenderId, k.ClientMessageId)).ToList();
        return async () =>
        {
            var found = new Dictionary<RetryKey, SendOutcome?>();
            for (var i = 0; i < keys.Count; i++)
                found[keys[i]] = await lookups[i] is { } original ? new SendOutcome.Retried(original) : null;
            return found;
        };
    }

    // Plain parameters, not a tuple's members: Marten compiles every expression it cannot read as a constant or a
    // captured variable, and compiling on every lookup was one of the server's largest costs under load
    // (docs/performance-history.md).
    private static Task<MessageView?> FindRetry(IBatchedQuery query, Guid conversationId, Guid senderId, string clientId) =>
        query.Query<MessageView>().Where(m => m.ConversationId == conversationId && m.SenderId == senderId && m.ClientMessageId == clientId).FirstOrDefault();

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

    /// <summary>What makes two attempts the same send: one sender's clientMessageId in one conversation.</summary>
    private readonly record struct RetryKey(Guid ConversationId, Guid SenderId, string ClientMessageId);

    /// <summary>
    /// One locked conversation stream within a batch: its state, and its view as participants see it, move on
    /// with every send appended, and a direct conversation that does not exist yet is started by its first send
    /// that succeeds, so a failed first send leaves nothing behind.
    /// </summary>
    private sealed class OpenStream(IEventStream<Conversation> stream)
    {
        private Conversation? state = stream.Aggregate;
        private ConversationStarted? starting;

        /// <summary>The conversation's view as of the last send appended, in plain text; null until it has one.</summary>
        public ConversationView? Shown { get; set; }

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

        /// <summary>Appends <paramref name="stored"/> (sealed) and returns the view as participants see <paramref name="shown"/> (its plain text).</summary>
        public ConversationView Append(MessageSent stored, MessageSent shown)
        {
            if (starting is not null)
                stream.AppendOne(starting);
            stream.AppendOne(stored);
            state = (state ?? Conversation.Create(starting!)).Apply(stored);
            var before = starting is not null ? ConversationViewProjection.Create(starting)
                : Shown ?? throw new InvalidOperationException($"Conversation {stored.ConversationId} has no view.");
            starting = null;
            return Shown = ConversationViewProjection.Apply(shown, before);
        }
    }
}
