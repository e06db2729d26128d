using EventChat.Application.Telemetry;
using OpenTelemetry.Trace;

namespace EventChat.Api.Telemetry;

/// <summary>
/// OpenTelemetry tracing of EventChat's spans (<see cref="EventChatTracing"/>) and Npgsql's, exported over OTLP, and only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector. Without it nothing listens to the spans, and starting one
/// costs a null check. The exporter reads the other standard <c>OTEL_EXPORTER_OTLP_*</c> settings itself (protocol,
/// headers, timeout).
/// </summary>
public static class Tracing
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Npgsql's own ActivitySource: a span per command, with its SQL (parameterised, never the values).
    private const string NpgsqlSource = "Npgsql";

    public static IServiceCollection AddEventChatTracing(this IServiceCollection services, IConfiguration config)
    {
        if (string.IsNullOrWhiteSpace(config[OtlpEndpointKey]))
            return services;
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(EventChatTracing.SourceName, NpgsqlSource)
            .AddOtlpExporter());
        return services;
    }
}
