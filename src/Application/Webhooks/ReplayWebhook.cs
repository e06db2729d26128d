using EventChat.Domain;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Webhooks;

/// <summary>
/// Delivers again, to one webhook, every conversation event it wants from a point in history: a position in the event
/// store (<see cref="FromSequence"/>) or a time (<see cref="FromTime"/>), up to the last event the outbox has queued,
/// so nothing is sent twice by the replay itself. For a new receiver's backfill, or one that lost what it was sent.
/// Replayed deliveries say <c>replay: true</c>, have new ids, and keep each conversation's order.
/// </summary>
public sealed record ReplayWebhook(Guid WebhookId, long? FromSequence, DateTimeOffset? FromTime) : ICommand<ReplayStarted>;

public sealed record ReplayStarted(Guid WebhookId, int Queued, long UpToSequence);

public sealed class ReplayWebhookValidator : AbstractValidator<ReplayWebhook>
{
    public ReplayWebhookValidator()
    {
        RuleFor(c => c).Must(c => c.FromSequence is null != c.FromTime is null).WithMessage("Give one of 'fromSequence' and 'fromTime'.");
        RuleFor(c => c.FromSequence).GreaterThanOrEqualTo(1);
    }
}

public sealed class ReplayWebhookHandler(IDocumentStore store, WebhookDeliveries deliveries, WebhookSignal signal, ILogger<ReplayWebhookHandler> log)
    : ICommandHandler<ReplayWebhook, ReplayStarted>
{
    public async ValueTask<ReplayStarted> Handle(ReplayWebhook command, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var hook = await session.LoadAsync<Webhook>(command.WebhookId, ct) ?? throw DomainException.NotFound("Webhook");
        var upTo = (await store.Advanced.AllProjectionProgress(token: ct))
            .FirstOrDefault(shard => shard.ShardName.StartsWith(nameof(WebhookOutbox), StringComparison.Ordinal))?.Sequence ?? 0;
        var queued = await deliveries.Replay(hook, command.FromSequence, command.FromTime, upTo, ct);
        signal.Pulse();
        log.LogInformation("webhook {WebhookId}: {Queued} events queued again, up to {UpTo}", hook.Id, queued, upTo);
        return new(hook.Id, queued, upTo);
    }
}
