using Microsoft.Extensions.Logging;

namespace EventChat.Client;

/// <summary>What the stream hands to the app, in the order it decides on.</summary>
internal interface IStreamSink
{
    void Received(Message message, Conversation? conversation);

    void Changed(Message message);

    void Read(ReadReceipt receipt);

    void Membership(MembershipChange change);
}

/// <summary>
/// Merges pushes and sync pages into one stream in which every message reaches the app once, each conversation's in
/// <c>sequence</c> order: the algorithm of docs/sdk.md ("Resume"), step for step. Pushes carry <c>previousSequence</c>,
/// so a push that does not follow on from what was handed over shows that something is missing; it waits (is held)
/// while a catch-up pages the sync feed, which holds every event in commit order.
/// </summary>
internal sealed class MessageStream(
    IStreamSink sink,
    ISyncCursorStore store,
    Func<string?, CancellationToken, Task<SyncPage>> sync,
    Func<bool> connected,
    ILogger log,
    CancellationToken stopping)
{
    public const int PageSize = 500;
    private const int RememberedIds = 10_000;
    private static readonly TimeSpan EmptyPageWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, long> _delivered = [];
    private readonly HashSet<Guid> _handedOver = [];
    private readonly Queue<Guid> _handedOverOrder = new();
    private readonly List<Held> _held = [];
    private readonly List<(int Number, TaskCompletionSource Done)> _waiting = [];
    private int _catchUpsStarted;
    private bool _catchingUp;
    private bool _again;

    // Only the one running catch-up touches these.
    private string? _cursor;
    private bool _cursorLoaded;

    /// <param name="HeldAfter">How many catch-ups had started when the push was held: a later one started after it.</param>
    private sealed record Held(MessageDelivery Push, int HeldAfter)
    {
        public Guid ConversationId => Push.Message.ConversationId;

        public long Sequence => Push.Message.Sequence;
    }

    /// <summary>A <c>messageSent</c> or <c>newMessage</c> push, or a <c>sendMessage</c> answer (the same object).</summary>
    public void Push(MessageDelivery push)
    {
        var message = push.Message;
        lock (_gate)
        {
            if (IsHandedOver(message) || _held.Any(held => held.Push.Message.Id == message.Id))
                return;
            if (FollowsOn(message.ConversationId, push.PreviousSequence))
            {
                HandOver(message, push.Conversation);
                HandOverHeld(message.ConversationId);
                return;
            }
            _held.Add(new(push, _catchUpsStarted));
        }
        RequestCatchUp();
    }

    /// <summary>
    /// A live edit or delete. One of a message not handed over yet (or not in this session) is dropped, and a catch-up
    /// brings it in its place, after the message itself.
    /// </summary>
    public void Changed(Message message)
    {
        lock (_gate)
        {
            if (IsHandedOver(message))
            {
                sink.Changed(message);
                return;
            }
        }
        RequestCatchUp();
    }

    /// <summary>A live receipt; it names no sequence, so only a message handed over in this session passes at once.</summary>
    public void Receipt(ReadReceipt receipt)
    {
        lock (_gate)
        {
            if (_handedOver.Contains(receipt.MessageId))
            {
                sink.Read(receipt);
                return;
            }
        }
        RequestCatchUp();
    }

    /// <summary>Runs a catch-up, or another one after the one running.</summary>
    public void RequestCatchUp()
    {
        lock (_gate)
        {
            if (_catchingUp)
            {
                _again = true;
                return;
            }
            _catchingUp = true;
        }
        _ = Task.Run(CatchUps);
    }

    /// <summary>Completes when a catch-up that started after this call has ended (and throws if that one failed).</summary>
    public Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (stopping.IsCancellationRequested)
            return Task.FromCanceled(stopping);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
            _waiting.Add((_catchUpsStarted + 1, done));
        RequestCatchUp();
        return done.Task.WaitAsync(cancellationToken);
    }

    private async Task CatchUps()
    {
        while (true)
        {
            int number;
            lock (_gate)
            {
                _again = false;
                number = ++_catchUpsStarted;
            }
            Exception? failure = null;
            try
            {
                await CatchUp();
            }
            catch (Exception e) when (!stopping.IsCancellationRequested)
            {
                failure = e;
                if (connected())
                    log.LogWarning(e, "A catch-up failed; the SDK tries again in {Delay}", RetryAfterFailure);
                else
                    log.LogDebug(e, "A catch-up stopped with the connection; the next connection runs one");
            }
            catch (OperationCanceledException e)
            {
                lock (_gate)
                    Ended(int.MaxValue, e);
                return;
            }
            var finished = failure is null;
            bool retry;
            lock (_gate)
            {
                if (finished && ReleaseHeld(number))
                    _again = true;
                Ended(number, failure);
                if (_again && !stopping.IsCancellationRequested)
                    continue;
                _catchingUp = false;
                retry = !finished && connected();
            }
            if (retry)
                _ = RetryLater();
            return;
        }
    }

    // Tells whoever waits for this catch-up (or an earlier one) how it went.
    private void Ended(int number, Exception? failure)
    {
        foreach (var waiter in _waiting.Where(waiter => waiter.Number <= number).ToList())
        {
            _waiting.Remove(waiter);
            if (failure is null)
                waiter.Done.SetResult();
            else if (failure is OperationCanceledException)
                waiter.Done.SetCanceled();
            else
                waiter.Done.SetException(failure);
        }
    }

    private async Task RetryLater()
    {
        try
        {
            await Task.Delay(RetryAfterFailure, stopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (connected())
            RequestCatchUp();
    }

    // Pages the feed from the cursor until it says there is no more, saving the cursor after each page.
    private async Task CatchUp()
    {
        if (!_cursorLoaded)
        {
            _cursor = await store.LoadAsync(stopping);
            _cursorLoaded = true;
        }
        while (true)
        {
            SyncPage page;
            try
            {
                page = await sync(_cursor, stopping);
            }
            catch (EventChatError refused) when (refused.Code == "validation" && _cursor is not null)
            {
                // Another user's cursor, or one from before the server rotated its key: the feed starts again, and the
                // ids handed over in this session keep the repeats from the app.
                log.LogWarning("The server refused the stored sync cursor ({Reason}); reading the feed from the start", refused.Message);
                _cursor = null;
                continue;
            }
            lock (_gate)
            {
                foreach (var item in page.Items)
                    Apply(item);
            }
            _cursor = page.Cursor;
            await store.SaveAsync(page.Cursor, stopping);
            if (!page.HasMore)
                return;
            // An empty page that says "more" waits for a write still in flight on the server.
            if (page.Items.Count == 0)
                await Task.Delay(EmptyPageWait, stopping);
        }
    }

    private void Apply(SyncItem item)
    {
        switch (item.Type)
        {
            case "MessageSent" when item.Message is { } message:
                if (!IsHandedOver(message))
                    HandOver(message, conversation: null);
                HandOverHeld(item.ConversationId);
                break;
            case "MessageEdited" or "MessageDeleted" when item.Message is { } changed:
                sink.Changed(changed);
                break;
            case "MessagesMarkedRead" when item.Receipt is { } receipt:
                sink.Read(new ReadReceipt(item.ConversationId, receipt.MessageId, receipt.ReadBy, item.At));
                break;
            default:
                if (item.Membership is { } membership && Enum.TryParse<MembershipChangeType>(item.Type, out var type))
                    sink.Membership(new MembershipChange(type, item.ConversationId, item.Version, item.At, membership.UserIds, membership.By, membership.Kind, membership.Title));
                break;
        }
    }

    /// <summary>
    /// The end of catch-up <paramref name="number"/>: a held push that still does not follow on is handed over if this
    /// catch-up started after it was held. The push was committed before it was pushed, so such a catch-up brought
    /// everything before it the user may see; what is still missing is history the user cannot see. Answers whether
    /// pushes are still held (they wait for the next catch-up).
    /// </summary>
    private bool ReleaseHeld(int number)
    {
        foreach (var conversationId in _held.Select(held => held.ConversationId).Distinct().ToList())
        {
            // Everything up to the latest push held before this catch-up was committed before it began.
            var due = _held.Where(held => held.ConversationId == conversationId && held.HeldAfter < number)
                .Select(held => held.Sequence).DefaultIfEmpty(long.MinValue).Max();
            foreach (var held in _held.Where(held => held.ConversationId == conversationId).OrderBy(held => held.Sequence).ToList())
            {
                if (IsHandedOver(held.Push.Message))
                {
                    _held.Remove(held);
                    continue;
                }
                if (!FollowsOn(conversationId, held.Push.PreviousSequence) && held.Sequence > due)
                    break;
                _held.Remove(held);
                HandOver(held.Push.Message, held.Push.Conversation);
            }
        }
        return _held.Count > 0;
    }

    // Rule 2's tail: held pushes of the conversation that now follow on, in turn.
    private void HandOverHeld(Guid conversationId)
    {
        while (true)
        {
            _held.RemoveAll(held => held.ConversationId == conversationId && IsHandedOver(held.Push.Message));
            var next = _held.FirstOrDefault(held => held.ConversationId == conversationId && FollowsOn(conversationId, held.Push.PreviousSequence));
            if (next is null)
                return;
            _held.Remove(next);
            HandOver(next.Push.Message, next.Push.Conversation);
        }
    }

    // Rule 1: its id is known, or a later message of its conversation was handed over.
    private bool IsHandedOver(Message message) =>
        _handedOver.Contains(message.Id)
        || (_delivered.TryGetValue(message.ConversationId, out var delivered) && message.Sequence <= delivered);

    // Rule 2: the message before it is the last one handed over, or it is the first of a conversation new to this session.
    private bool FollowsOn(Guid conversationId, long previousSequence) =>
        _delivered.TryGetValue(conversationId, out var delivered) ? previousSequence == delivered : previousSequence == 0;

    private void HandOver(Message message, Conversation? conversation)
    {
        _delivered[message.ConversationId] = message.Sequence;
        _handedOver.Add(message.Id);
        _handedOverOrder.Enqueue(message.Id);
        if (_handedOverOrder.Count > RememberedIds)
            _handedOver.Remove(_handedOverOrder.Dequeue());
        sink.Received(message, conversation);
    }
}
