using EventChat.Application.Webhooks;
using Marten;

namespace EventChat.Api.Webhooks;

public static class WebhookSetup
{
    /// <summary>
    /// Webhooks (docs/integrations.md#webhooks): the outbox subscription the async daemon runs on its leader, and the
    /// dispatcher every node runs.
    /// </summary>
    public static void AddWebhooks(this IServiceCollection services, IConfiguration config, MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        services.AddSingleton(config.GetSection(WebhookOptions.Section).Get<WebhookOptions>() ?? new WebhookOptions());
        services.AddSingleton<WebhookTargets>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<WebhookPayloads>();
        services.AddHostedService<WebhookDispatcher>();
        marten.AddSubscriptionWithServices<WebhookOutbox>(ServiceLifetime.Singleton);
    }
}
