using EventChat.Api.Hubs;
using EventChat.Application.Telemetry;
using OpenTelemetry.Trace;

namespace EventChat.Api.Telemetry;

/// <summary>
/// OpenTelemetry tracing of EventChat's spans (<see cref="EventChatTracing"/>), Npgsql's and ASP.NET Core's requests,
/// exported over OTLP, and only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector. Without it nothing listens to
/// the spans, and starting one costs a null check. The exporter reads the other standard <c>OTEL_EXPORTER_OTLP_*</c>
/// settings itself (protocol, headers, timeout).
/// </summary>
public static class Tracing
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Npgsql's own ActivitySource: a span per command, with its SQL (parameterised, never the values).
    private const string NpgsqlSource = "Npgsql";

    // The instrumentation's tag for the query string: cursors, search terms, and from a browser, a token.
    private const string UrlQuery = "url.query";

    public static IServiceCollection AddEventChatTracing(this IServiceCollection services, IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config[OtlpEndpointKey]))
            return services;
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(EventChatTracing.SourceName, NpgsqlSource)
            // A REST request's span is the parent of its command's. Its query is dropped, not only redacted (the
            // instrumentation's default, which a setting can turn off), and exceptions are not recorded (their
            // messages may quote the input).
            .AddAspNetCoreInstrumentation(options =>
            {
                options.Filter = IsTraced;
                options.EnrichWithHttpRequest = (activity, _) => activity.SetTag(UrlQuery, null);
            })
            .AddOtlpExporter());
        return services;
    }

    /// <summary>
    /// Every request but the hub's transport (negotiate, and the connection's own request, which lasts as long as the
    /// connection and from a browser carries the token in its query: each hub call is a trace of its own, HubTracing),
    /// health probes and metric scrapes, whose spans would be noise.
    /// </summary>
    public static bool IsTraced(HttpContext http) =>
        !(http.Request.Path.StartsWithSegments(ChatHub.Path) || http.Request.Path.StartsWithSegments("/health")
            || http.Request.Path.StartsWithSegments(Metrics.Path));
}
