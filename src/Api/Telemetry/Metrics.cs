using EventChat.Application.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EventChat.Api.Telemetry;

/// <summary>
/// OpenTelemetry metrics: EventChat's own meter (<see cref="EventChatMetrics"/>), ASP.NET Core's (HTTP server,
/// Kestrel, SignalR connections), the runtime's (<c>System.Runtime</c>: GC, thread pool, exceptions, JIT, the process's
/// CPU time and working set) and <see cref="ProcessMetrics"/> (threads, handles), exported in Prometheus text format at <c>/metrics</c>. Anonymous unless
/// <c>EventChat:Metrics:RequireRole</c> names a role (e.g. <c>admin</c>) whose bearer token a scraper must send.
/// </summary>
public static class Metrics
{
    public const string Path = "/metrics";
    public const string RequireRoleKey = "EventChat:Metrics:RequireRole";

    // Built into .NET 9 and later; the runtime creates it on its own once something listens.
    private const string RuntimeMeter = "System.Runtime";

    public static IServiceCollection AddEventChatMetrics(this IServiceCollection services)
    {
        services.AddSingleton<EventChatMetrics>();
        services.AddSingleton<ProjectionLag>();
        services.AddHostedService<ProjectionLagSampler>();
        ProcessMetrics.Start();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("eventchat"))
            .WithMetrics(metrics => metrics
                .AddMeter(EventChatMetrics.MeterName, RuntimeMeter, ProcessMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        return services;
    }

    public static void MapMetrics(this WebApplication app)
    {
        // Instruments exist from the first resolution on, and the gauges must be there before the first send. Not
        // before the app starts, though: a meter listener sees every "EventChat" meter in the process, so an app that is
        // only built (as some tests do) must not add a second set of gauges beside the running app's.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<EventChatMetrics>());
        var endpoint = app.MapPrometheusScrapingEndpoint(Path);
        if (app.Configuration[RequireRoleKey] is { Length: > 0 } role)
            endpoint.RequireAuthorization(policy => policy.RequireRole(role));
        else
            endpoint.AllowAnonymous();
    }
}

/// <summary>
/// Keeps <c>eventchat.projection.lag</c> fresh while asynchronous projections exist, by measuring every
/// <see cref="Interval"/>. Without async shards it stops at once and the gauge stays 0; today the analytics projections and the webhook outbox are async.
/// </summary>
public sealed class ProjectionLagSampler(ProjectionLag lag, ILogger<ProjectionLagSampler> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!lag.HasAsyncProjections)
            return;
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await lag.Measure(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(e, "measuring projection lag failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
