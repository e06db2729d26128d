using EventChat.Domain;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Webhooks;

/// <summary>Every registered webhook, without secrets.</summary>
public sealed record ListWebhooks : IQuery<IReadOnlyList<WebhookDto>>;

public sealed class ListWebhooksHandler(IQuerySession session) : IQueryHandler<ListWebhooks, IReadOnlyList<WebhookDto>>
{
    public async ValueTask<IReadOnlyList<WebhookDto>> Handle(ListWebhooks query, CancellationToken ct) =>
        [.. (await session.Query<Webhook>().OrderBy(h => h.CreatedAt).ToListAsync(ct)).Select(WebhookDto.Of)];
}

/// <summary>Removes a webhook; what was still to be delivered to it is dropped, its log with it.</summary>
public sealed record DeleteWebhook(Guid WebhookId) : ICommand;

public sealed class DeleteWebhookHandler(IDocumentStore store, WebhookDeliveries deliveries) : ICommandHandler<DeleteWebhook>
{
    public async ValueTask<Unit> Handle(DeleteWebhook command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        _ = await session.LoadAsync<Webhook>(command.WebhookId, ct) ?? throw DomainException.NotFound("Webhook");
        session.Delete<Webhook>(command.WebhookId);
        await session.SaveChangesAsync(ct);
        await deliveries.Forget(command.WebhookId, ct);
        return Unit.Value;
    }
}

/// <summary>A webhook's delivery log, newest first: each delivery's status, attempts and the receiver's last answer.</summary>
public sealed record GetWebhookDeliveries(Guid WebhookId, int? Limit) : IQuery<IReadOnlyList<WebhookDelivery>>;

public sealed class GetWebhookDeliveriesValidator : AbstractValidator<GetWebhookDeliveries>
{
    public const int MaxLimit = 500;

    public GetWebhookDeliveriesValidator() => RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
}

public sealed class GetWebhookDeliveriesHandler(IQuerySession session, WebhookDeliveries deliveries) : IQueryHandler<GetWebhookDeliveries, IReadOnlyList<WebhookDelivery>>
{
    public async ValueTask<IReadOnlyList<WebhookDelivery>> Handle(GetWebhookDeliveries query, CancellationToken ct)
    {
        _ = await session.LoadAsync<Webhook>(query.WebhookId, ct) ?? throw DomainException.NotFound("Webhook");
        return await deliveries.Log(query.WebhookId, query.Limit ?? 100, ct);
    }
}
