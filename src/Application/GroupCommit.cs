using EventChat.Application.Pipeline;
using EventChat.Application.Telemetry;
using System.Diagnostics;
using EventChat.Domain;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EventChat.Application;

/// <summary>A command waiting in a <see cref="GroupCommit{TPending, TOutcome}"/> queue, and its caller's answer once its batch is done.</summary>
public abstract class PendingCommit<TOutcome>(Guid streamId)
{
    /// <summary>The stream the command writes to; it decides which writer takes it.</summary>
    public Guid StreamId { get; } = streamId;

    public TaskCompletionSource<TOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The span of the command that queued this, for the batch's commit span to join its trace.</summary>
    public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;
}

/// <summary>
/// Group commit. A durable commit costs a disk flush and a transaction a handful of round trips, so committing
/// each command on its own caps a node at a few hundred writes a second however idle PostgreSQL is. Here
/// concurrent commands queue up, and a writer hands everything queued at once to <c>commit</c>, which decides
/// them all and commits them in one transaction. While it commits, the next batch queues, so batches grow with
/// the load and a lone command waits for nobody.
/// <para>
/// Every stream always goes to the same writer, which keeps each stream's commands in arrival order (the
/// stream locks that <c>commit</c> takes keep that true across nodes). If a batch's commit fails, each command
/// not yet answered is committed again in a batch of its own, so one bad command never fails the others and
/// each caller gets its own result.
/// </para>
/// </summary>
public sealed class GroupCommit<TPending, TOutcome> : IAsyncDisposable where TPending : PendingCommit<TOutcome>
{
    private const int MaxBatch = 256;

    private readonly Func<IReadOnlyList<TPending>, Task> commit;
    private readonly ILogger log;
    private readonly Channel<TPending>[] queues;
    private readonly Task[] writers;

    /// <param name="writers">Writers per node: more keep a commit in flight while another flushes, fewer make bigger batches.</param>
    /// <param name="commit">Decides and commits one batch in one transaction. It answers the commands it rejects
    /// (a broken rule) at once and the others after the commit; if it throws, nothing of the batch was written.</param>
    public GroupCommit(int writers, Func<IReadOnlyList<TPending>, Task> commit, ILogger log)
    {
        (this.commit, this.log) = (commit, log);
        queues = [.. Enumerable.Range(0, writers).Select(_ => Channel.CreateUnbounded<TPending>(new() { SingleReader = true }))];
        this.writers = [.. queues.Select(queue => Task.Run(() => Write(queue.Reader)))];
    }

    /// <summary>
    /// Queues the command and waits for its transaction. Once it is queued, the caller's next command may start
    /// (<paramref name="turn"/>): it queues behind this one, so the caller's commands commit in the order sent.
    /// Cancelling stops the wait, not the command.
    /// </summary>
    public async Task<TOutcome> Commit(TPending pending, CallerTurn? turn, CancellationToken ct)
    {
        if (!queues[(int)((uint)pending.StreamId.GetHashCode() % queues.Length)].Writer.TryWrite(pending))
            throw new ObjectDisposedException(nameof(GroupCommit<TPending, TOutcome>));
        turn?.Pass();
        return await pending.Outcome.Task.WaitAsync(ct);
    }

    private async Task Write(ChannelReader<TPending> queue)
    {
        // The writer was started from whichever call first needed it; that call's span is no parent of later batches.
        Activity.Current = null;
        var batch = new List<TPending>(MaxBatch);
        while (await queue.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.TryRead(out var pending))
                batch.Add(pending);
            await CommitOrSplit(batch);
        }
    }

    private async Task CommitOrSplit(IReadOnlyList<TPending> batch)
    {
        using var activity = StartCommitSpan(batch);
        try
        {
            await commit(batch);
        }
        catch (Exception e) when (batch.Count > 1 && !DatabaseOutage.Caused(e))
        {
            // The batch's transaction failed; each command's own commit below gets a span of its own.
            if (activity is not null)
                EventChatTracing.Failed(activity, e);
            log.LogDebug(e, "A group commit of {Count} commands failed; committing them one by one", batch.Count);
            foreach (var pending in batch.Where(p => !p.Outcome.Task.IsCompleted))
                await CommitOrSplit([pending]);
        }
        // A lone command's failure is its answer. With the database unreachable, every command of the batch gets
        // that answer at once, rather than one timeout after another.
        catch (Exception e)
        {
            if (activity is not null)
                EventChatTracing.Failed(activity, e);
            foreach (var pending in batch)
                pending.Outcome.TrySetException(e);
        }
    }

    // A batch serves several callers: its span continues the first one's trace and links the others'.
    private static Activity? StartCommitSpan(IReadOnlyList<TPending> batch)
    {
        if (!EventChatTracing.Source.HasListeners())
            return null;
        var others = batch.Skip(1).Where(p => p.Caller != default).Select(p => new ActivityLink(p.Caller));
        return EventChatTracing.Source.StartActivity("commit", ActivityKind.Internal, batch[0].Caller, links: others)
            ?.SetTag("eventchat.batch.size", batch.Count);
    }

    /// <summary>
    /// The usual body of a batch: decides each command in arrival order, commits, and answers. A command that breaks
    /// a rule (<see cref="DomainException"/>) is answered at once and the batch goes on without it; the others are
    /// answered once <paramref name="commit"/> has saved them, in arrival order, each with what <paramref name="committed"/>
    /// makes of its outcome (if given).
    /// </summary>
    public static async Task DecideEachThenCommit(IReadOnlyList<TPending> batch, Func<TPending, Task<TOutcome>> decide, Func<Task> commit,
        Func<TOutcome, TOutcome>? committed = null)
    {
        var decided = new List<(TPending Pending, TOutcome Outcome)>(batch.Count);
        foreach (var pending in batch)
        {
            try
            {
                decided.Add((pending, await decide(pending)));
            }
            catch (DomainException e)
            {
                pending.Outcome.TrySetException(e);
            }
        }
        await commit();
        foreach (var (pending, outcome) in decided)
            pending.Outcome.TrySetResult(committed is null ? outcome : committed(outcome));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var queue in queues)
            queue.Writer.TryComplete();
        await Task.WhenAll(writers);
    }
}
