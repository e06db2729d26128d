using System.Text.Json;
using EventChat.Api.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EventChat.Api.Endpoints;

/// <summary>
/// Liveness (<c>/health/live</c>: the process answers; no dependency is asked, so a database outage never gets
/// the process restarted) and readiness (<c>/health/ready</c>, and <c>/health</c> as its alias: PostgreSQL answers
/// and projections keep up). Anonymous; <c>200</c> when healthy, <c>503</c> otherwise, with a JSON body per check.
/// </summary>
public static class HealthEndpoints
{
    public const string LiveTag = "live";
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IServiceCollection AddEventChatHealthChecks(this IServiceCollection services, IConfiguration config)
    {
        var settings = config.GetSection(HealthSettings.Section).Get<HealthSettings>() ?? new HealthSettings();
        services.AddSingleton(settings);
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy("The process is serving requests."), [LiveTag])
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [ReadyTag], timeout: settings.CheckTimeout)
            .AddCheck<ProjectionsHealthCheck>("projections", tags: [ReadyTag], timeout: settings.CheckTimeout);
        return services;
    }

    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", Options(LiveTag)).AllowAnonymous();
        app.MapHealthChecks("/health/ready", Options(ReadyTag)).AllowAnonymous();
        // The original endpoint; scripts and load balancers may still probe it.
        app.MapHealthChecks("/health", Options(ReadyTag)).AllowAnonymous();
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResponseWriter = WriteJson,
    };

    /// <summary><c>{ status, totalDurationMs, checks: { name: { status, description, durationMs, data } } }</c>; statuses in lower case.</summary>
    private static Task WriteJson(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsJsonAsync(new
        {
            status = Status(report.Status),
            totalDurationMs = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
            checks = report.Entries.ToDictionary(entry => entry.Key, entry => new
            {
                status = Status(entry.Value.Status),
                description = SafeDescription(entry.Value),
                durationMs = Math.Round(entry.Value.Duration.TotalMilliseconds, 1),
                data = entry.Value.Data,
            }),
        }, Json, http.RequestAborted);
    }

    // A check that throws gets the exception's message as its description; that goes to the log, not to anonymous callers.
    private static string? SafeDescription(HealthReportEntry entry) =>
        entry.Exception is { } e && entry.Description == e.Message ? "The check failed; see the server log." : entry.Description;

    private static string Status(HealthStatus status) => status.ToString().ToLowerInvariant();
}
