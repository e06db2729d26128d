using System.Security.Cryptography;
using EventChat.Domain;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Webhooks;

/// <summary>
/// An admin registers an endpoint for events. Without a secret, EventChat makes one; either way it is shown only in this
/// answer. The webhook is sent what happens from now on; what happened before, by <see cref="ReplayWebhook"/>.
/// </summary>
public sealed record RegisterWebhook(Guid AdminId, string? Url, string? Secret, IReadOnlyList<string>? EventTypes) : ICommand<RegisteredWebhook>;

public sealed record RegisteredWebhook(Guid Id, string Url, IReadOnlyList<string> EventTypes, long StartsAfter, DateTimeOffset CreatedAt, string Secret);

public sealed class RegisterWebhookValidator : AbstractValidator<RegisterWebhook>
{
    public const int MaxUrlLength = 2048;
    public const int MinSecretLength = 16;

    public RegisterWebhookValidator()
    {
        RuleFor(c => c.Url).NotEmpty().MaximumLength(MaxUrlLength)
            .Must(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.UserInfo.Length == 0)
            .WithMessage("'url' must be an absolute http or https URL without credentials.");
        RuleFor(c => c.Secret).Length(MinSecretLength, 256).When(c => c.Secret is not null);
        RuleForEach(c => c.EventTypes).Must(type => type is not null && WebhookEventTypes.IsKnown(type))
            .WithMessage($"Each of 'eventTypes' must be one of {string.Join(", ", WebhookEventTypes.All)}.");
    }
}

public sealed class RegisterWebhookHandler(IDocumentStore store, WebhookTargets targets, TimeProvider clock, ILogger<RegisterWebhookHandler> log)
    : ICommandHandler<RegisterWebhook, RegisteredWebhook>
{
    public async ValueTask<RegisteredWebhook> Handle(RegisterWebhook command, CancellationToken ct)
    {
        var url = new Uri(command.Url!);
        await targets.Check(url, ct);
        var hook = new Webhook
        {
            Id = Guid.CreateVersion7(),
            Url = url.ToString(),
            Secret = command.Secret ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            EventTypes = [.. (command.EventTypes ?? []).Distinct()],
            StartsAfter = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventSequenceNumber,
            CreatedBy = command.AdminId,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var session = store.LightweightSession();
        session.Store(hook);
        await session.SaveChangesAsync(ct);
        log.LogInformation("webhook {WebhookId} registered by admin {AdminId}", hook.Id, command.AdminId);
        return new(hook.Id, hook.Url, hook.EventTypes, hook.StartsAfter, hook.CreatedAt, hook.Secret);
    }
}
