using EventChat.Application.Ports;
using EventChat.Domain.Conversations;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Services;
using Marten.Subscriptions;

namespace EventChat.Application.Webhooks;

/// <summary>
/// Turns events into webhook deliveries: a Marten subscription, so the async daemon runs it on one node (its leader,
/// elected across nodes), hands it every event once and in order, and commits the deliveries it queues together with
/// its progress: an event is queued for each webhook exactly once, and none is lost if a node dies. A message to a
/// participant with no open connection also queues a push request (<see cref="WebhookEventTypes.PushRequested"/>).
/// The deliveries go out from every node's <c>WebhookDispatcher</c>.
/// </summary>
public sealed class WebhookOutbox(IPresence presence, WebhookOptions options, WebhookSignal signal, TimeProvider clock) : SubscriptionBase
{
    /// <summary>
    /// A push request for a message older than this is not made: the daemon is catching up on history (a first start,
    /// a rebuild), and nobody wants a push for last week's message.
    /// </summary>
    public static readonly TimeSpan PushesOnlyFor = TimeSpan.FromMinutes(5);

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var hooks = await operations.Query<Webhook>().ToListAsync(cancellationToken);
        if (hooks.Count == 0)
            return NoListener.Instance;
        var table = $"{operations.DocumentStore.Options.DatabaseSchemaName}.{WebhookDeliveries.Table}";
        var queued = 0;
        foreach (var e in page.Events)
        {
            if (!WebhookEventTypes.ConversationEventTypes.Contains(e.EventType))
                continue;
            foreach (var hook in hooks.Where(h => h.Wants(e.EventType.Name, e.Sequence)))
            {
                operations.QueueSqlCommand(WebhookDeliveries.EnqueueSql(table), Guid.CreateVersion7(), hook.Id, e.StreamId, e.StreamId, e.Sequence, e.EventType.Name);
                queued++;
            }
            if (e.Data is MessageSent sent && clock.GetUtcNow() - e.Timestamp < PushesOnlyFor)
                queued += await QueuePushes(operations, table, hooks.Where(h => h.Wants(WebhookEventTypes.PushRequested, e.Sequence)).ToList(), sent, e.Sequence, cancellationToken);
        }
        return queued > 0 ? signal : NoListener.Instance;
    }

    private async Task<int> QueuePushes(IDocumentOperations operations, string table, List<Webhook> hooks, MessageSent sent, long sequence, CancellationToken ct)
    {
        if (hooks.Count == 0 || await operations.LoadAsync<Conversation>(sent.ConversationId, ct) is not { } conversation)
            return 0;
        Guid[] recipients = [.. conversation.Participants.Where(id => id != sent.SenderId)];
        var online = await presence.Online(recipients);
        var offline = recipients.Except(online).ToList();
        var window = $"{options.PushWindow.TotalMilliseconds} milliseconds";
        foreach (var hook in hooks)
        foreach (var recipient in offline)
            operations.QueueSqlCommand(WebhookDeliveries.EnqueuePushSql(table), Guid.CreateVersion7(), hook.Id, recipient, sent.ConversationId, recipient, sequence, window,
                hook.Id, recipient, sent.ConversationId);
        return hooks.Count * offline.Count;
    }

    private sealed class NoListener : IChangeListener
    {
        public static readonly NoListener Instance = new();
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
    }
}

/// <summary>Wakes this node's dispatcher as soon as the outbox has committed new deliveries, instead of at its next look.</summary>
public sealed class WebhookSignal : IChangeListener
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        Pulse();
        return Task.CompletedTask;
    }

    public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;

    public void Pulse()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up serves every delivery queued before it.
        }
    }

    /// <summary>Returns when signalled, or after <paramref name="atMost"/>.</summary>
    public Task Wait(TimeSpan atMost, CancellationToken ct) => _pending.WaitAsync(atMost, ct);
}
